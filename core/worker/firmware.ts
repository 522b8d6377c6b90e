import { CELL_STATE_NAMES } from '../hypervisor/abi.ts';
import type { Cell } from '../hypervisor/cell.ts';
import { Hypervisor } from '../hypervisor/hypervisor.ts';
import { LinkInspector } from '../links/link-inspector.ts';
import type { FirmwareInstaller } from './machine-host.ts';
import { snapshotMachine } from './machine-snapshot.ts';

/**
 * Every board the lab builds carries the Jailhouse hypervisor as firmware, ready for the root OS to
 * enable; labs read cell states through it. A link inspector watches its ivshmem links from the host.
 */
export const installHypervisor: FirmwareInstaller = (machine) => {
  const hypervisor = Hypervisor.install(machine);
  const links = new LinkInspector({
    ram: machine.ram,
    // The doorbell's time as the cell's running CPU sees it (the others sit at the round's start).
    nowNs: (cell) => {
      let retired = 0;
      if (cell !== undefined) for (const cpu of (cell as Cell).cpus) retired = Math.max(retired, machine.harts[cpu]?.sliceRetired ?? 0);
      return machine.clock.now(retired) * 100;
    },
    get tracing() { return hypervisor.tracing; },
    trace: (cell, detail) => {
      const cpu = (cell as Cell).cpus.values().next();
      if (!cpu.done) hypervisor.trace(machine.harts[cpu.value]!, detail);
    },
  }, hypervisor.ivshmem);
  hypervisor.linkObserver = links;
  return {
    cellState: (name) => {
      for (const cell of hypervisor.cells.values()) if (cell.name === name) return CELL_STATE_NAMES[cell.state];
      return undefined;
    },
    snapshot: () => snapshotMachine(machine, hypervisor, links),
    links,
  };
};
