import { HartState, type Hart } from '../cpu/hart.ts';
import type { SbiPlatform } from '../machine/sbi.ts';
import { CellState, JAILHOUSE_EID, LAB_FIRMWARE_EID } from './abi.ts';
import type { Cell } from './cell.ts';
import { parkHart } from './faults.ts';
import type { Hypervisor } from './hypervisor.ts';

/**
 * The SBI as a cell sees it once the hypervisor runs: the board's Sbi implementation with a platform
 * that confines every call to the caller's cell.
 *
 * - IPI, RFENCE and HSM interpret hart masks in the caller's cell: naming a hart of another cell makes
 *   the whole call fail with INVALID_PARAM before any hart is touched; the attempt is traced. "All
 *   harts" (hart_mask_base -1, a legacy null mask) means the cell's own harts.
 * - console output goes to the cell's virtual console stream, refused (DENIED, legacy: -1) without
 *   VIRTUAL_CONSOLE_PERMITTED; the root cell is always permitted; only the root cell reads UART0 input.
 * - SRST shuts the caller's cell down (its CPUs stop, state SHUT_DOWN); it never ends the machine while
 *   the hypervisor runs.
 * - get_impl_id answers 'JHOU' and the Jailhouse extension is available; the lab firmware extension
 *   (JLAB) only to the root cell (its console page; enable answers -EBUSY).
 */
export class CellSbiPlatform implements SbiPlatform {
  constructor(private readonly hv: Hypervisor, private readonly cell: Cell) {}

  get harts(): readonly Hart[] {
    return this.hv.machine.harts;
  }

  setTimer(hart: Hart, deadline: number): void {
    this.hv.machine.setTimer(hart, deadline);
  }

  consoleWrite(caller: Hart, bytes: Uint8Array): boolean {
    if (!this.cell.consolePermitted) {
      this.hv.trace(caller, `console output of cell "${this.cell.name}" refused (no VIRTUAL_CONSOLE_PERMITTED)`);
      return false;
    }
    this.hv.consoles.cellWrite(this.cell.name, bytes);
    return true;
  }

  consoleRead(caller: Hart): number {
    return this.cell.isRoot ? this.hv.machine.consoleRead() : (void caller, -1);
  }

  systemReset(caller: Hart, type: 'shutdown' | 'cold-reboot' | 'warm-reboot'): void {
    this.hv.trace(caller, `SRST ${type} from cell "${this.cell.name}": the cell shuts down`);
    for (const cpu of this.cell.cpus) parkHart(this.hv, this.hv.machine.harts[cpu]!, HartState.Stopped);
    this.cell.comm.cellState = CellState.ShutDown;
    this.hv.unitHook('cellShutdown', this.cell);
  }

  suspend(hart: Hart, resume?: { address: number; opaque: number }): void {
    this.hv.machine.suspend(hart, resume);
  }

  mayTarget(caller: Hart, target: number): boolean {
    if (this.cell.cpus.has(target)) return true;
    this.hv.trace(caller, `SBI call names hart ${target}, which is not in cell "${this.cell.name}": refused`);
    return false;
  }

  everyHart(): readonly number[] {
    return [...this.cell.cpus].sort((a, b) => a - b);
  }

  hartStatus(id: number): number {
    return this.hv.machine.hartStatus(id);
  }

  isExecutable(hart: Hart, address: number): boolean {
    return this.hv.machine.isExecutable(hart, address);
  }

  implId(): number {
    return JAILHOUSE_EID;
  }

  /** The lab firmware extension stays available to the root cell (console page; enable answers -EBUSY). */
  extension(hart: Hart, eid: number, fid: number): boolean {
    if (eid !== LAB_FIRMWARE_EID || !this.cell.isRoot) return false;
    this.hv.labFirmwareCall(hart, fid);
    return true;
  }

  probeExtension(eid: number): boolean {
    return eid === LAB_FIRMWARE_EID && this.cell.isRoot;
  }
}
