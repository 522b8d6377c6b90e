import { Assembler, type ROp, Reg } from '../cpu/assembler.ts';
import type { Machine, RunOutcome } from './machine.ts';

/**
 * Start-up warm-up of the run loop.
 *
 * V8 compiles Hart.run with the type feedback it has seen. A case of the big instruction switch that never
 * ran has none, so the optimized code deoptimizes the first time a guest executes a new kind of instruction
 * (a 64-bit division, a misaligned load, an AMO, a CSR...) and the loop drops back to the bytecode
 * interpreter until V8 optimizes it again: cold phases ran several times slower than warm ones. So before
 * the first real machine runs, a private machine (its own RAM, harts and devices; nothing a guest can see)
 * runs this program once, which executes every kind of instruction and every slow path of the loop with
 * values of the kinds guests use (addresses above 2^31, negative and 64-bit operands, division by zero).
 */
let warmedUp = false;

/**
 * Runs the warm-up once per JavaScript realm (each worker has its own); `create` makes a private machine
 * (with the translator translating every page at its first entry when `jit`). First with the block
 * translator, on two machines (the run loop's calls into translated code, the translator's own code),
 * for a few passes only: translated code that runs long is recompiled by V8's optimizing tier in the
 * background, hundreds of milliseconds of both cores right when the first guest starts. Then on the
 * interpreter alone, long enough for V8 to optimize the loop with all of that feedback.
 */
export function warmUpRunLoop(create: (ramSize: number, jit: boolean) => Machine, createWithFirmware?: (ramSize: number) => Machine): void {
  if (warmedUp) return;
  warmedUp = true;
  runWarmUpProgram(create(WARM_UP_RAM_SIZE, true), TRANSLATED_PASSES);
  runWarmUpProgram(create(WARM_UP_RAM_SIZE, true), TRANSLATED_PASSES);
  // Before the interpreter's passes: the loop V8 optimizes last must have seen the firmware's calls too
  // (after them, it was optimized anew for both and ran integer code a third slower).
  if (createWithFirmware !== undefined) warmUpFirmwareCalls(createWithFirmware);
  // V8 optimizes the loop in the background while the first run goes on (50-150 ms here); until that
  // lands, a guest would start on the unoptimized loop. So run again until a run shows it: several
  // times faster than the first (a bound keeps a slow host from waiting long).
  const timed = () => {
    const started = performance.now();
    runWarmUpProgram(create(WARM_UP_RAM_SIZE, false));
    return performance.now() - started;
  };
  const first = timed();
  for (let run = 0; run < MAX_EXTRA_RUNS && timed() > first / 4; run++);
}

/** Extra interpreter runs at most while V8 finishes optimizing the loop (each a few ms once it has). */
const MAX_EXTRA_RUNS = 12;

/**
 * Warms up the path of an SBI call from translated code: the step import, the run loop's
 * system instructions, the firmware's dispatch (the hypervisor's, when `create` installs it) and the SBI
 * itself. These are JavaScript that V8 optimizes only after thousands of calls; a guest making SBI calls
 * in a loop ran its first 50 ms at a third of its speed. `create` makes a private machine with the
 * firmware and every page translated at once. The calls take a few runs to reach their optimized speed
 * (measured: 10 ms, then 2-3 ms, then 0.6 ms from about the fifth run on); FIRMWARE_RUNS runs so the
 * optimized code has landed, and V8's background compiles are done, when a guest starts.
 */
function warmUpFirmwareCalls(create: (ramSize: number) => Machine): void {
  for (let run = 0; run < FIRMWARE_RUNS; run++) {
    const machine = create(WARM_UP_RAM_SIZE);
    const base = machine.ram.base + WARM_UP_CODE_OFFSET;
    machine.writePhysical(base, firmwareCallProgram(base, FIRMWARE_CALL_ROUNDS).bytes());
    runFrom(machine, base);
  }
}

const FIRMWARE_RUNS = 8;
/** Rounds of the firmware-call program per run (three SBI calls each). */
const FIRMWARE_CALL_ROUNDS = 1500;

/**
 * SBI calls in a loop, as guests make them: the base extension's spec version and a probe, and a timer
 * set far into the future (it never fires); then it powers off through the finisher.
 */
function firmwareCallProgram(base: number, rounds: number): Assembler {
  const a = new Assembler(base);
  const { zero, t0, t1, s1, a0, a6, a7 } = Reg;
  a.li(s1, rounds);
  a.label('round');
  a.li(a7, SBI_BASE).li(a6, 0).ecall();                       // sbi_get_spec_version
  a.li(a7, SBI_BASE).li(a6, 3).li(a0, SBI_TIME).ecall();      // sbi_probe_extension(TIME)
  a.li(a7, SBI_TIME).li(a6, 0).li(a0, -1).ecall();            // sbi_set_timer(never)
  a.i('addi', s1, s1, -1).branch('bne', s1, zero, 'round');
  a.lui(t0, FINISHER >> 12).li(t1, 0x5555).store('sw', t1, t0, 0);
  a.label('hang').jal(zero, 'hang');
  return a;
}

/** Loads the warm-up program (`passes` passes) into a machine of WARM_UP_RAM_SIZE bytes and runs it to its end. */
export function runWarmUpProgram(machine: Machine, passes = PASSES): RunOutcome {
  const base = machine.ram.base + WARM_UP_CODE_OFFSET;
  machine.writePhysical(base, program(base, passes).bytes());
  machine.writePhysical(base + DATA, dataTable());
  machine.writePhysical(base + PAGE_TABLE, pageTable(machine.ram.base));
  return runFrom(machine, base);
}

/** Starts the machine's hart 0 at `base` and runs it to its end (a million instructions at most). */
function runFrom(machine: Machine, base: number): RunOutcome {
  machine.harts[0]!.start(base, 0, 0);
  let outcome: RunOutcome = { kind: 'budget' };
  for (let i = 0; i < 10 && outcome.kind === 'budget'; i++) outcome = machine.run(100_000);
  return outcome;
}

/** Where the program starts in RAM: where kernels go, above the firmware's region closed to S-mode. */
export const WARM_UP_CODE_OFFSET = 0x20_0000;
export const WARM_UP_RAM_SIZE = WARM_UP_CODE_OFFSET + 0x1_0000;
const DATA = 0x4000;       // 64 operand values
const SCRATCH = 0x5000;    // two pages of load/store targets
const PAGE_TABLE = 0x7000; // an Sv39 root: gigapages mapping devices and RAM one to one
const PASSES = 24;
const TRANSLATED_PASSES = 1;
const LR_SC_ROUNDS = 64;
const UART = 0x1000_0000;
const PLIC = 0x0c00_0000;
const FINISHER = 0x10_0000;

const CSR = {
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a, sscratch: 0x140, sepc: 0x141,
  scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180, cycle: 0xc00, time: 0xc01, instret: 0xc02, hpm3: 0xc03,
  mstatus: 0x300,
};
const SIE = 2, SSIP = 2, SPP = 0x100;
const SBI_BASE = 0x10, SBI_TIME = 0x54494d45, SBI_IPI = 0x735049;

/** Operands: small, negative, 32-bit edge cases and full 64-bit values, in a fixed pseudo-random order. */
function dataTable(): Uint8Array {
  const values = [0n, 1n, -1n, 7n, 0x7fffffffn, -0x80000000n, 0xffffffffn, 0x123456789abcdefn,
    -0x8000000000000000n, 0x7fffffffffffffffn, 3n, -5n, 0x80000000n, 0xdeadbeefcafebaben, 12345n, -987654321n];
  const out = new DataView(new ArrayBuffer(64 * 8));
  let x = 0x2545f491n;
  for (let i = 0; i < 64; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    out.setBigUint64(i * 8, BigInt.asUintN(64, i % 3 === 2 ? x : values[Number(x >> 60n)]!), true);
  }
  return new Uint8Array(out.buffer);
}

/** Sv39 root: gigapages for the devices (VA 0) and for RAM at `ramBase`, both mapped one to one. */
function pageTable(ramBase: number): Uint8Array {
  const out = new DataView(new ArrayBuffer(4096));
  const leaf = (pa: number, perms: number) => BigInt(Math.floor(pa / 4096)) << 10n | BigInt(perms);
  const V = 1, R = 2, W = 4, X = 8, A = 64, D = 128;
  out.setBigUint64(0, leaf(0, V | R | W | A | D), true);                                      // devices
  out.setBigUint64(Math.floor(ramBase / 2 ** 30) * 8, leaf(ramBase, V | R | W | X | A | D), true); // RAM
  return new Uint8Array(out.buffer);
}

const R_ALL: ROp[] = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw',
  'srlw', 'sraw', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];

/**
 * The program: `passes` passes over the operand table, each running every instruction kind, the load/store
 * slow paths (misaligned, page-crossing, device, faulting), traps, an interrupt, U-mode and Sv39 paging;
 * then it powers off through the finisher. t3/t4 belong to the trap handler.
 */
function program(base: number, passes: number): Assembler {
  const a = new Assembler(base);
  const { zero, ra, t0, t1, t2, t5, t6, s0, s1, s2, s3, s4, s5, a0, a1, a2, a3, a4, a5, a6, a7, t3, t4 } = Reg;

  a.auipc(s0, 0).lui(t0, DATA >> 12).r('add', s0, s0, t0);   // s0: operands
  a.lui(t0, (SCRATCH - DATA) >> 12).r('add', s2, s0, t0);     // s2: scratch page
  a.lui(s3, UART >> 12);                                      // s3: UART
  a.li(s1, passes).li(s4, 0);
  a.la(t0, 'handler').csr('csrrw', zero, CSR.stvec, t0);
  a.li(t0, 7).csr('csrrw', zero, CSR.scounteren, t0);

  a.label('pass');
  a.r('add', t6, s0, s4);
  a.load('ld', a0, t6, 0).load('ld', a1, t6, 8).load('ld', a2, t6, 16).load('ld', a3, t6, 24);
  a.load('lw', a4, t6, 32).load('lwu', a5, t6, 44);

  // Register-register arithmetic, M extension included (division by zero and overflow come from the table).
  for (const op of R_ALL) a.r(op, t0, a0, a1).r(op, t1, a2, a3).r(op, t2, a4, a5).r(op, s5, a0, zero);
  // Immediates, with small and edge-case values; shifts by 0, < 32 and >= 32.
  for (const imm of [0, 1, -1, 2047, -2048]) {
    for (const op of ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'] as const) a.i(op, t0, a0, imm).i(op, t1, a2, imm);
  }
  for (const n of [0, 1, 31, 32, 33, 63]) {
    a.shift('slli', t0, a0, n).shift('srli', t1, a2, n).shift('srai', t2, a3, n);
    if (n < 32) a.shift('slliw', t0, a1, n).shift('srliw', t1, a2, n).shift('sraiw', t2, a3, n);
  }
  a.lui(t0, 0x80000).lui(t1, 0x12345).lui(t2, 0xfffff).auipc(t0, 0).auipc(t1, 0x80000);
  a.i('addi', t0, a0, 0).i('addi', t1, zero, -7).r('add', t2, zero, a1); // decoded as MV, LI, MV

  // Loads and stores: the fast path at every width, then misaligned, page-crossing, device and faulting ones.
  a.store('sd', a0, s2, 0).store('sw', a1, s2, 8).store('sh', a2, s2, 12).store('sb', a3, s2, 14);
  a.store('sd', a3, s2, 16).store('sd', a2, s2, 24);
  for (const op of ['ld', 'lw', 'lwu', 'lh', 'lhu', 'lb', 'lbu'] as const) a.load(op, t0, s2, 16).load(op, t1, s2, 24);
  a.load('ld', t0, s2, 1).load('lw', t1, s2, 3).load('lwu', t1, s2, 6).load('lh', t2, s2, 5).load('lhu', t2, s2, 9);
  a.store('sd', a0, s2, 3).store('sw', a1, s2, 17).store('sh', a2, s2, 21);
  a.lui(t5, 1).r('add', t5, s2, t5).i('addi', t5, t5, -4);   // t5: 4 bytes before the next page
  a.load('ld', t0, t5, 1).load('lw', t1, t5, 2).load('lhu', t2, t5, 3).store('sd', a0, t5, 3).store('sh', a1, t5, 3);
  a.load('lbu', t0, s3, 5).load('lbu', t0, s3, 5).store('sb', a0, s3, 7).load('lb', t1, s3, 7);
  a.lui(t0, PLIC >> 12).store('sw', zero, t0, 4).load('lw', t1, t0, 4); // a word-wide device (source 1's priority)
  a.load('lw', t0, zero, 8).store('sw', t0, zero, 8);         // nothing there: access faults
  a.la(t0, 'patched').load('lw', t1, t0, 0).store('sw', t1, t0, 0).store('sw', t1, t0, 0).fenceI(); // slow, then fast path
  a.amo('lr', 'w', t1, t0, zero).amo('sc', 'w', t2, t0, t1).amo('amoor', 'w', zero, t0, zero); // atomics on code
  a.label('patched').i('addi', t2, t2, 1);                    // rewritten in place with the same bits
  a.la(t0, 'besideCode').store('sd', a0, t0, 0);              // data on a code page, outside its code

  // Branches taken and not taken, jumps and calls within the page and to other pages.
  a.li(t0, -1).li(t1, 1);
  a.branch('beq', zero, zero, 'b1').label('b1').branch('beq', t0, t1, 'b1');
  a.branch('bne', t0, t1, 'b2').label('b2').branch('bne', t0, t0, 'b2');
  a.branch('blt', t0, t1, 'b3').label('b3').branch('blt', t1, t0, 'b3');
  a.branch('bge', t1, t0, 'b4').label('b4').branch('bge', t0, t1, 'b4');
  a.branch('bltu', t1, t0, 'b5').label('b5').branch('bltu', t0, t1, 'b5');
  a.branch('bgeu', t0, t1, 'b6').label('b6').branch('bgeu', t1, t0, 'b6');
  a.la(t0, 'near').jalr(ra, t0, 0).jal(ra, 'near').jal(ra, 'crossing');
  a.branch('beq', zero, zero, 'farBranch').label('backFromFar');

  // Atomics: every AMO at both widths, LR/SC that succeed and fail, misaligned and device ones (faults).
  a.i('addi', t6, s2, 64);
  for (const op of ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'] as const) {
    a.amo(op, 'w', t0, t6, a0).amo(op, 'd', t1, t6, a1, true, true);
  }
  a.amo('lr', 'w', t0, t6, zero).amo('sc', 'w', t1, t6, a2).amo('sc', 'w', t1, t6, a2);
  // LR/SC increments in a loop, as locks and atomics are built (translated code hands each to the run loop)
  a.li(t5, LR_SC_ROUNDS).label('lrsc');
  a.label('lrw').amo('lr', 'w', t0, t6, zero).i('addiw', t0, t0, 1).amo('sc', 'w', t1, t6, t0).branch('bne', t1, zero, 'lrw');
  a.label('lrd').amo('lr', 'd', t2, t6, zero, true).i('addi', t2, t2, 1).amo('sc', 'd', t1, t6, t2, false, true).branch('bne', t1, zero, 'lrd');
  a.i('addi', t5, t5, -1).branch('bne', t5, zero, 'lrsc');
  a.amo('lr', 'd', t0, t6, zero, true).amo('sc', 'd', t1, t6, a3, false, true).amo('sc', 'd', t1, t6, a3);
  a.i('addi', t5, t6, 2).amo('amoadd', 'w', t0, t5, a0).amo('lr', 'd', t0, t5, zero).amo('amoadd', 'w', t0, s3, a0);

  // CSRs: every form, every implemented register, and illegal accesses.
  a.csr('csrrw', t0, CSR.sscratch, a0).csr('csrrs', t1, CSR.sscratch, zero).csr('csrrc', t1, CSR.sscratch, a1);
  a.csr('csrrwi', t0, CSR.sscratch, 5).csr('csrrsi', t0, CSR.sscratch, 3).csr('csrrci', t0, CSR.sscratch, 1);
  for (const csr of [CSR.sstatus, CSR.sie, CSR.sip, CSR.stvec, CSR.scounteren, CSR.senvcfg, CSR.sepc, CSR.scause,
    CSR.stval, CSR.satp, CSR.cycle, CSR.time, CSR.instret, CSR.hpm3]) a.csr('csrrs', t0, csr, zero);
  a.csr('csrrw', zero, CSR.senvcfg, a0).csr('csrrw', zero, CSR.sepc, a1).csr('csrrw', zero, CSR.scause, a2);
  a.csr('csrrw', zero, CSR.stval, a3).csr('csrrw', zero, CSR.satp, zero);
  a.lui(t0, 0x40).csr('csrrs', zero, CSR.sstatus, t0).csr('csrrc', zero, CSR.sstatus, t0);   // SUM
  a.csr('csrrs', t0, CSR.mstatus, zero).csr('csrrw', zero, CSR.cycle, a0);                   // illegal

  // SBI calls, exceptions, an interrupt (also waking WFI), fences.
  a.li(a7, SBI_BASE).li(a6, 0).ecall().li(a6, 3).li(a0, SBI_TIME).ecall();
  // An IPI to itself, masked by sstatus.SIE: the call leaves an interrupt pending (then cleared).
  a.li(t0, SSIP).csr('csrrs', zero, CSR.sie, t0);
  a.li(a7, SBI_IPI).li(a6, 0).li(a0, 1).li(a1, 0).ecall().csr('csrrci', zero, CSR.sip, SSIP).csr('csrrw', zero, CSR.sie, zero);
  a.ebreak().word(0);
  a.li(t0, SSIP).csr('csrrs', zero, CSR.sie, t0).csr('csrrs', zero, CSR.sip, t0).wfi();
  a.csr('csrrsi', zero, CSR.sstatus, SIE).i('addi', t0, t0, 1).csr('csrrci', zero, CSR.sstatus, SIE);
  a.csr('csrrw', zero, CSR.sie, zero);
  a.fence().fenceI().sfenceVma();
  // TLB misses at every width (the slow paths' RAM accesses).
  for (const op of ['lb', 'lbu', 'lh', 'lhu', 'lw', 'lwu', 'ld'] as const) a.sfenceVma().load(op, t0, s2, 32);
  for (const op of ['sb', 'sh', 'sw', 'sd'] as const) a.sfenceVma().store(op, a0, s2, 32);

  // U-mode: ordinary work, privileged instructions (illegal there), then ECALL back to S-mode.
  a.la(t0, 'user').csr('csrrw', zero, CSR.sepc, t0).li(t0, SPP).csr('csrrc', zero, CSR.sstatus, t0).sret();
  a.label('afterUser').csr('csrrci', zero, CSR.sstatus, SIE); // the SRET to U-mode set SIE (from SPIE)

  // Sv39: the same RAM through page tables, a page fault, then paging off again.
  a.li(t0, 8).shift('slli', t0, t0, 60).lui(t1, (PAGE_TABLE - DATA) >> 12).r('add', t1, s0, t1).shift('srli', t1, t1, 12).r('or', t0, t0, t1);
  a.csr('csrrw', zero, CSR.satp, t0).sfenceVma();
  a.load('ld', t1, s2, 0).store('sd', t1, s2, 8).load('lbu', t2, s3, 5).amo('amoadd', 'd', t2, t6, a0);
  a.lui(t1, 0x40000).load('ld', t2, t1, 0);                  // unmapped: a page fault
  a.csr('csrrw', zero, CSR.satp, zero).sfenceVma();

  a.i('addi', s4, s4, 8).i('andi', s4, s4, 255).i('addi', s1, s1, -1);
  a.branch('bne', s1, zero, 'pass');
  a.lui(t0, FINISHER >> 12).li(t1, 0x5555).store('sw', t1, t0, 0);
  a.label('hang').jal(zero, 'hang');

  a.label('near').jalr(zero, ra, 0);

  a.label('user');
  a.r('add', t0, a0, a1).load('ld', t1, s2, 0).store('sd', t1, s2, 8).csr('csrrs', t0, CSR.cycle, zero);
  a.sret().wfi().sfenceVma().csr('csrrs', t0, CSR.sstatus, zero).ecall();
  a.jal(zero, 'afterUser');

  // Traps: skip the trapping instruction (all are 4 bytes); ECALL from U returns to S; the software
  // interrupt is acknowledged.
  a.label('handler');
  a.csr('csrrs', t3, CSR.scause, zero).branch('blt', t3, zero, 'interrupt');
  a.csr('csrrs', t4, CSR.sepc, zero).i('addi', t4, t4, 4).csr('csrrw', zero, CSR.sepc, t4);
  a.li(t4, 8).branch('bne', t3, t4, 'return').li(t4, SPP).csr('csrrs', zero, CSR.sstatus, t4);
  a.jal(zero, 'return');
  a.label('interrupt').csr('csrrci', zero, CSR.sip, SSIP);
  a.label('return').sret();

  // Page 1: a branch target off the branch's page. At its end: a 32-bit instruction across the page
  // boundary (after a C.NOP), falling through to page 2, whose JALR returns to page 0.
  a.padTo(0xff8).label('besideCode').padTo(0x1000).label('farBranch').jal(zero, 'backFromFar');
  a.padTo(0x1ff8).label('crossing').i('addi', t0, t0, 1).cnop().i('addi', t0, t0, 1).jalr(zero, ra, 0);
  return a;
}
