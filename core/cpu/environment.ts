import type { Hart } from './hart.ts';

/** Kinds of access, as bits so they can be tested against region permissions. */
export const enum Access {
  Read = 1,
  Write = 2,
  Execute = 4,
}

/**
 * The second translation stage: how a hart's guest-physical addresses (GPAs) reach the board's RAM.
 * On the bare board this is the identity over RAM; under the hypervisor it is the cell's memory map.
 * Harts cache the answers in their TLBs, so whoever changes the map must flush the affected harts.
 */
export interface GuestMemoryMap {
  /**
   * RAM byte offset of the 4 KiB guest-physical page at `gpaPage` (page-aligned) for `access`, or -1 when
   * the page is not RAM this hart may access that way: such accesses become exits (HartExits).
   */
  ramPage(gpaPage: number, access: Access): number;
}

/**
 * Everything a hart cannot decide alone: the exits to the firmware/hypervisor and the board.
 * An exit that fails either parks the hart (it stops running) or makes the hart take an access fault.
 */
export interface HartExits {
  /**
   * A load from a GPA that is not directly mapped RAM. On success returns true with the value in
   * `hart.ioData` (low word, high word); false means a bus error or violation.
   */
  mmioRead(hart: Hart, gpa: number, size: 1 | 2 | 4 | 8): boolean;
  /** A store to a GPA that is not directly mapped RAM; value in `lo`/`hi`. False: bus error or violation. */
  mmioWrite(hart: Hart, gpa: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean;
  /** An instruction fetch from a GPA without executable RAM. True: deliver an access fault to the guest. */
  fetchFault(hart: Hart, gpa: number): boolean;
  /**
   * An LR (`write` false), SC or AMO at a GPA that is not RAM the hart may access that way: devices take
   * no part in atomics. True: deliver an access fault to the guest (the default when absent); false: the
   * exit handled it (e.g. a violation parked the hart).
   */
  atomicFault?(hart: Hart, gpa: number, size: 4 | 8, write: boolean): boolean;
  /** ECALL from S-mode: the SBI and the hypervisor's calls. Arguments and results in the hart's registers. */
  ecall(hart: Hart): void;
  /** The current value of the `time` CSR for this hart. */
  time(hart: Hart): number;
}
