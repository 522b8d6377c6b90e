/** Exception causes (scause with the interrupt bit clear). */
export const enum Cause {
  InstructionMisaligned = 0,
  InstructionAccessFault = 1,
  IllegalInstruction = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallFromU = 8,
  EcallFromS = 9,
  InstructionPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
}

/** Interrupt numbers (scause with the interrupt bit set) and their bits in sip/sie. */
export const enum Irq {
  SupervisorSoftware = 1,
  SupervisorTimer = 5,
  SupervisorExternal = 9,
}

export const SSIP = 1 << Irq.SupervisorSoftware;
export const STIP = 1 << Irq.SupervisorTimer;
export const SEIP = 1 << Irq.SupervisorExternal;
/** The S-level interrupt bits that exist on this hart. */
export const S_INTERRUPTS = SSIP | STIP | SEIP;

export const CAUSE_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction', 3: 'breakpoint',
  4: 'load address misaligned', 5: 'load access fault', 6: 'store/AMO address misaligned',
  7: 'store/AMO access fault', 8: 'environment call from U-mode', 9: 'environment call from S-mode',
  12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault',
};
