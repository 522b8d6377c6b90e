/**
 * The numbers of the Jailhouse RISC-V ABI (jailhouse-abi.md): hypercall codes, error numbers, cell and CPU
 * states, the communication region layout and the statistics counters. One definition, used everywhere.
 */

/** The version the hypervisor reports in its banner. */
export const JAILHOUSE_VERSION = 'v0.12 (jailhouse-lab)';

/** SBI extension id of the hypercalls, 'JHOU'; also the SBI implementation id once enabled. */
export const JAILHOUSE_EID = 0x4a48_4f55;

/**
 * The lab firmware's own SBI extension, 'JLAB' (docs/firmware.md): the board firmware's implementation id.
 * FID 0 enters the hypervisor (bare board only); FID 1 asks for the hypervisor console page (root cell).
 */
export const LAB_FIRMWARE_EID = 0x4a4c_4142;
export const enum LabFirmwareFid {
  /** a0 = address of the system configuration in hypervisor memory; a0 out = 0 or -errno. */
  HypervisorEnable = 0,
  /** a0 out = 0 and a1 = HPA of the console page (mapped read-only into the root cell), or -ENOENT. */
  ConsolePage = 1,
}

/**
 * Jailhouse's virtual debug console ring (struct jailhouse_virt_console), one page of hypervisor memory:
 * u32 busy (odd while the hypervisor writes), u32 tail (bytes written since enable), char content[2048].
 */
export const ConsoleRing = { offBusy: 0, offTail: 4, offContent: 8, contentSize: 2048 } as const;

/** Hypercall codes (the FID of a Jailhouse SBI call). */
export const enum Hypercall {
  Disable = 0,
  CellCreate = 1,
  CellStart = 2,
  CellSetLoadable = 3,
  CellDestroy = 4,
  HypervisorGetInfo = 5,
  CellGetState = 6,
  CpuGetInfo = 7,
  DebugConsolePutc = 8,
}

export const HYPERCALL_NAMES = [
  'DISABLE', 'CELL_CREATE', 'CELL_START', 'CELL_SET_LOADABLE', 'CELL_DESTROY', 'HYPERVISOR_GET_INFO',
  'CELL_GET_STATE', 'CPU_GET_INFO', 'DEBUG_CONSOLE_PUTC',
] as const;

/** Positive errno values; hypercalls return their negation. */
export const enum Errno {
  EPERM = 1,
  ENOENT = 2,
  E2BIG = 7,
  ENOMEM = 12,
  EBUSY = 16,
  EEXIST = 17,
  EINVAL = 22,
  /** Unknown hypercall code (Jailhouse's default case). */
  ENOSYS = 38,
}

/** HYPERVISOR_GET_INFO types. */
export const enum InfoType {
  MemPoolSize = 0,
  MemPoolUsed = 1,
  RemapPoolSize = 2,
  RemapPoolUsed = 3,
  NumCells = 4,
}

/** Cell states, as kept in the communication region's cell_state. */
export const enum CellState {
  Running = 0,
  RunningLocked = 1,
  ShutDown = 2,
  Failed = 3,
  FailedCommRev = 4,
}

export const CELL_STATE_NAMES = ['running', 'running/locked', 'shut down', 'failed', 'failed (comm revision)'] as const;

/** CPU_GET_INFO type 0 answers. */
export const enum CpuState {
  Running = 0,
  Failed = 2,
}

/** CPU_GET_INFO: type >= CPU_INFO_STAT_BASE asks for statistics counter (type - base). */
export const CPU_INFO_STAT_BASE = 1000;

/** Messages to a cell (msg_to_cell). */
export const enum Message {
  None = 0,
  ShutdownRequest = 1,
  ReconfigCompleted = 2,
}

/** Replies from a cell (reply_from_cell). */
export const enum Reply {
  None = 0,
  Unknown = 1,
  RequestDenied = 2,
  RequestApproved = 3,
  Received = 4,
}

/** Communication region ABI revision 2: 64 bytes. */
export const CommRegion = {
  signature: 'JHCOMM',
  revision: 2,
  size: 64,
  offRevision: 6,
  offCellState: 8,
  offMsgToCell: 12,
  offReplyFromCell: 16,
  offFlags: 20,
  offConsole: 24,
  offPciMmconfigBase: 56,
  flagDbgPutcPermitted: 0x1,
  flagDbgPutcActive: 0x2,
} as const;

/** Per-CPU statistics counters (CPU_GET_INFO 1000 + n). */
export const enum Stat {
  VmexitsTotal = 0,
  Mmio = 1,
  Management = 2,
  Hypercall = 3,
  SbiIpi = 4,
  SbiRfence = 5,
  SbiTime = 6,
  SbiOther = 7,
  Timer = 8,
  Ipi = 9,
  Virq = 10,
}

export const NUM_STATS = 11;

export const STAT_NAMES = [
  'vmexits_total', 'vmexits_mmio', 'vmexits_management', 'vmexits_hypercall', 'vmexits_sbi_ipi',
  'vmexits_sbi_rfence', 'vmexits_sbi_time', 'vmexits_sbi_other', 'vmexits_timer', 'vmexits_ipi', 'vmexits_virq',
] as const;

/** A hart id (jailhouse_cpu.phys_id); the lab numbers CPUs like harts. */
export type HartId = number;

export const PAGE_SIZE = 4096;
