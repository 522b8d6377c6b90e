import { CELL_STATE_NAMES } from '../hypervisor/abi.ts';
import { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { FirmwareInstaller } from './machine-host.ts';
import { snapshotMachine } from './machine-snapshot.ts';

/**
 * Every board the lab builds carries the Jailhouse hypervisor as firmware, ready for the root OS to
 * enable; labs read cell states through it.
 */
export const installHypervisor: FirmwareInstaller = (machine) => {
  const hypervisor = Hypervisor.install(machine);
  return {
    cellState: (name) => {
      for (const cell of hypervisor.cells.values()) if (cell.name === name) return CELL_STATE_NAMES[cell.state];
      return undefined;
    },
    snapshot: () => snapshotMachine(machine, hypervisor),
  };
};
