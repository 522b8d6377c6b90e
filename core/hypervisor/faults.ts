import { HartState, type Hart } from '../cpu/hart.ts';
import { SSIP, STIP } from '../cpu/trap.ts';
import { CellState } from './abi.ts';
import type { Hypervisor } from './hypervisor.ts';

/** Exception causes of the H extension's guest-page faults: what a second-stage violation is. */
export const enum GuestFault {
  Fetch = 20,
  Load = 21,
  Store = 23,
}

/** Cause texts as Jailhouse's RISC-V port prints them (arch/riscv/traps.c). */
const CAUSE_TEXT: Record<number, string> = {
  0: 'Instruction Address Misaligned', 1: 'Instruction Address Fault', 2: 'Illegal Instruction', 3: 'Breakpoint',
  4: 'Load Accesss Misaligned', 5: 'Load Access Fault', 6: 'AMO Address Misaligned', 7: 'Store Access Fault',
  8: 'Env Call From U-Mode', 9: 'Env Call From S-Mode', 10: 'Env Call From VS-Mode', 11: 'Env Call From M-Mode',
  12: 'Instruction Pagefault', 13: 'Load Pagefault', 14: 'Reserved', 15: 'Store Pagefault',
  16: 'Reserved', 17: 'Reserved', 18: 'Reserved', 19: 'Reserved',
  20: 'Inst Guest Pagefault', 21: 'Load Guest Pagefault', 22: 'Virtual Instruction Fault', 23: 'Store Guest Pagefault',
};

const hex16 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

function reg(hart: Hart, r: number): bigint {
  return (BigInt(hart.xhi[r]! >>> 0) << 32n) | BigInt(hart.xlo[r]! >>> 0);
}

function u64(v: number): bigint {
  return BigInt.asUintN(64, BigInt(Math.trunc(v)));
}

/** The MMIO line Jailhouse prints before the dump when an access hits nothing the cell may touch. */
export function invalidMmioLine(write: boolean, gpa: number, size: number): string {
  return `FATAL: Invalid MMIO ${write ? 'write' : 'read'}, address: ${hex16(u64(gpa))}, size: ${size}`;
}

/**
 * The register dump of Jailhouse's RISC-V dump_regs(): cause line, scause/stval/htval, PC and the 31
 * registers in its order. The lab reports the GPA in both stval and htval<<2 (the faulting virtual
 * address is not kept by the exit path; with paging off they are equal).
 */
export function registerDump(hart: Hart, cause: number, stval: number, htval: number): string[] {
  const rows: Array<Array<[string, number]>> = [
    [['PC', -1], ['RA', 1], ['SP', 2]], [['GP', 3], ['TP', 4], ['T0', 5]], [['T1', 6], ['T2', 7], ['S0', 8]],
    [['S1', 9], ['A0', 10], ['A1', 11]], [['A2', 12], ['A3', 13], ['A4', 14]], [['A5', 15], ['A6', 16], ['A7', 17]],
    [['S2', 18], ['S3', 19], ['S4', 20]], [['S5', 21], ['S6', 22], ['S7', 23]], [['S8', 24], ['S9', 25], ['S10', 26]],
    [['S11', 27], ['T3', 28], ['T4', 29]], [['T5', 30], ['T6', 31]],
  ];
  const value = (r: number): string => hex16(r < 0 ? u64(hart.pc) : reg(hart, r));
  const lines = [
    `Fatal: Exception on CPU ${hart.id} (HART ${hart.id}). Cause: ${cause} (${CAUSE_TEXT[cause] ?? 'UNKNOWN'})`,
    `scause: ${hex16(BigInt(cause))}, stval: ${hex16(u64(stval))}, htval<<2: ${hex16(u64(htval))}`,
  ];
  for (const row of rows) {
    // Jailhouse's layout: first and third names right-aligned to 3 columns, the second as it is.
    lines.push(row.map(([n, r], i) => `${i === 1 ? n : n.padStart(3)}: ${value(r)}`).join(' '));
  }
  return lines;
}

/**
 * panic_park(): report the exception on the hypervisor console, park the CPU (it stops for good: only
 * CELL_START/SET_LOADABLE/DESTROY revive it) and mark the cell FAILED once all its CPUs have failed.
 * Every other cell keeps running.
 */
export function panicPark(hv: Hypervisor, hart: Hart, cause: number, gpa: number, mmioLine?: string): void {
  report(hv, hart, mmioLine, registerDump(hart, cause, gpa, gpa - (gpa % 4)));
  hv.trace(hart, `parked after cause ${cause} at 0x${gpa.toString(16)}`);
  fail(hv, hart);
}

/**
 * A hart whose every trap faults again at its own trap handler (the board's stuck-hart rule,
 * docs/board.md): on real hardware the guest would spin in VS-mode unseen; the lab ends it as a fault
 * of that CPU: the same report (the guest's scause/stval, htval 0) and parking as any violation.
 */
export function parkStuck(hv: Hypervisor, hart: Hart, why: string): void {
  hart.stuckTraps = 0;
  report(hv, hart, `FATAL: ${why}`, registerDump(hart, hart.scause[0]!, hartStval(hart), 0));
  hv.trace(hart, `parked: ${why}`);
  fail(hv, hart);
}

function hartStval(hart: Hart): number {
  return hart.stval[1]! * 4294967296 + (hart.stval[0]! >>> 0);
}

function report(hv: Hypervisor, hart: Hart, firstLine: string | undefined, dump: string[]): void {
  if (firstLine !== undefined) hv.printk(firstLine);
  for (const line of dump) hv.printk(line);
  hv.printk(`Parking CPU ${hart.id} (Cell: "${hv.cellOf(hart.id)?.name ?? '?'}")`);
}

/** Parks a failed CPU; its cell is FAILED once all of its CPUs failed. */
function fail(hv: Hypervisor, hart: Hart): void {
  const cell = hv.cellOf(hart.id);
  hv.failed[hart.id] = true;
  parkHart(hv, hart, HartState.Parked);
  if (cell !== undefined && [...cell.cpus].every((cpu) => hv.failed[cpu])) {
    cell.comm.cellState = CellState.Failed;
    hv.unitHook('cellShutdown', cell); // e.g. its ivshmem peers leave the others' state tables
  }
}

/** Stops a hart from the hypervisor side: no timer, no pending interrupts, out of the current slice. */
export function parkHart(hv: Hypervisor, hart: Hart, state: HartState): void {
  hart.state = state;
  hart.stopRequested = true;
  hart.idle = false;
  hart.mip &= ~(SSIP | STIP); // SEIP follows the PLIC context's output
  hv.machine.setTimer(hart, Infinity);
  hv.machine.cancelSuspend(hart);
}
