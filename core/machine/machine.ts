import { CodeCache } from '../cpu/code-cache.ts';
import { MachineMemory } from '../cpu/jit/machine-memory.ts';
import { Jit } from '../cpu/jit/translator.ts';
import { Access, type GuestMemoryMap, type HartExits } from '../cpu/environment.ts';
import { Hart, HartState } from '../cpu/hart.ts';
import { Ram } from '../cpu/ram.ts';
import { CAUSE_NAMES, SEIP, STIP } from '../cpu/trap.ts';
import { Board } from './board.ts';
import { Bus } from './bus.ts';
import { HostClock, InstructionClock, type Clock } from './clock.ts';
import { ConsoleBuffer } from './console-buffer.ts';
import { buildBoardDeviceTree } from './device-tree.ts';
import { ImageError, looksLikeElf, parseElf } from './elf.ts';
import { BootRom } from './boot-rom.ts';
import { PciEcamHost } from './pci-host.ts';
import { UnassignedPciWindow } from './pci-window.ts';
import { Plic, supervisorContext } from './plic.ts';
import { BOARD_IMPL_ID, Sbi, type SbiPlatform } from './sbi.ts';
import { TestFinisher, type FinishResult } from './test-finisher.ts';
import { TraceLog } from './trace-log.ts';
import { Uart16550 } from './uart16550.ts';
import { warmUpRunLoop } from './warm-up.ts';

export interface MachineOptions {
  harts?: number;
  /** RAM size in bytes (default 1 GiB). */
  ramSize?: number;
  /** Time from retired instructions instead of the host clock (reproducible runs). */
  deterministic?: boolean;
  /** Extra NS16550A UARTs beyond UART0 (0..4, default 4). */
  extraUarts?: number;
  /** Instructions a hart runs before the scheduler moves to the next one. */
  quantum?: number;
  /** Keep a bounded log of exits and traps. */
  trace?: boolean;
  /**
   * Translate hot guest code to WebAssembly (default on where WebAssembly can be compiled). Output and
   * instruction counts are identical either way; off runs the interpreter only.
   */
  jit?: boolean;
  /** Entries into a page of code before it is translated (tests use 1 to translate all code they run). */
  jitThreshold?: number;
  /** Runs of a page's translation between reviews of it (translator.ts REVIEW_RUNS; the warm-up's are short). */
  jitReview?: number;
}

/** What loading an image and booting needs. */
export interface BootImage {
  /** An ELF executable, or raw bytes placed at `loadAddress`. */
  bytes: Uint8Array;
  loadAddress?: number;
  initrd?: Uint8Array;
  bootargs?: string;
}

/** Why Machine.run returned. */
export type RunOutcome =
  | { kind: 'budget' }
  /** Every hart waits; nothing will happen before tick `wakeAt` (Infinity: only input can wake it). */
  | { kind: 'idle'; wakeAt: number }
  | { kind: 'finished'; result: FinishResult }
  | { kind: 'fault'; message: string };

/**
 * Firmware beyond the board's own SBI: the hypervisor (core/hypervisor) installs itself here so that the
 * board needs no knowledge of it. The hooks are optional and cost nothing when absent.
 */
export interface FirmwareExtension {
  /** An SBI call of an extension the board does not implement; true if handled (result in a0/a1). */
  extension(hart: Hart, eid: number, fid: number): boolean;
  /** Whether `eid` is available to probe_extension on the bare board. */
  probeExtension?(eid: number): boolean;
  /** Called before every scheduling round (the hypervisor polls comm regions here). */
  onRound?(): void;
  /** The earliest `time` at which onRound has something to do (Infinity: nothing). */
  nextDeadline?(): number;
  /**
   * A hart is stuck (`why` says how). True: the extension contained it (the hypervisor parks a cell's
   * CPU); otherwise the run ends with a fault, as on the bare board.
   */
  stuckHart?(hart: Hart, why: string): boolean;
}

/**
 * The board's identity second stage: a hart sees all of RAM at its physical addresses, except the
 * firmware's region, which OpenSBI's PMP closes to S-mode (accesses there become exits, and no device
 * answers them: access faults).
 */
class BoardMemoryMap implements GuestMemoryMap {
  constructor(private readonly ram: Ram) {}
  ramPage(gpaPage: number): number {
    if (gpaPage >= FIRMWARE_START && gpaPage < FIRMWARE_END) return -1;
    return this.ram.offsetOf(gpaPage);
  }
}

const FIRMWARE_START = Board.firmware.base, FIRMWARE_END = Board.firmware.base + Board.firmware.size;

const FIRMWARE_OVERLAP = `overlaps the firmware's region 0x${FIRMWARE_START.toString(16)}..0x${FIRMWARE_END.toString(16)} ` +
  '(OpenSBI on QEMU; closed to S-mode): link the image at 0x80200000 or above';

function overlapsFirmware(start: number, end: number): boolean {
  return start < FIRMWARE_END && FIRMWARE_START < end;
}

/** Consecutive traps at a handler's own first instruction before a hart is declared stuck. */
const STUCK_TRAPS = 64;

interface HartTimer {
  deadline: number;
  suspended: boolean;
  resume: { address: number; opaque: number } | undefined;
}

/**
 * The emulated board of board.md: RAM, harts, UARTs, PLIC, test finisher, PCI host, the firmware (SBI),
 * and the scheduler that runs the harts round-robin. One Machine is one powered-on board; a reset makes
 * the host build a fresh one.
 */
export class Machine implements SbiPlatform, HartExits {
  readonly ram: Ram;
  readonly code: CodeCache;
  readonly harts: Hart[] = [];
  readonly bus = new Bus();
  readonly plic: Plic;
  /**
   * Per hart: a hypervisor's virtual external interrupt (Jailhouse's injected vIRQs), OR-ed with the
   * PLIC's S-mode context into SEIP. See setVirtualExternal.
   */
  private readonly virtualExternal: Uint8Array;
  readonly uarts: Uart16550[] = [];
  readonly pci = new PciEcamHost({ name: 'pci-ecam' });
  readonly mrom = new BootRom(Board.mrom.size);
  readonly sbi: Sbi;
  readonly clock: Clock;
  /** Output of every console stream ("uart0", "uart1", ...) since the host last drained it. */
  readonly output = new Map<string, ConsoleBuffer>();
  readonly boardMap: GuestMemoryMap;
  private readonly timers: HartTimer[] = [];
  private readonly quantum: number;
  private finished: FinishResult | undefined;
  private fault: string | undefined;
  /** Instructions executed by all harts since power-on. */
  executed = 0;
  /** The next hart of the current scheduling round, and the longest slice the round ran so far. */
  private cursor = 0;
  private roundMax = 0;
  /** The exit trace, present only while tracing is on (see setTrace). */
  private trace_: TraceLog | undefined;
  /** Firmware extension (the hypervisor), if one is installed. */
  firmware: FirmwareExtension | undefined;
  /** The block translator, unless MachineOptions.jit is off (or WebAssembly is missing). */
  readonly translator: Jit | undefined;

  /**
   * Warms the run loop up (warm-up.ts: private machines, nothing observable), once per realm. Workers call
   * it when they start, so the first guest does not wait for it; the first Machine does it otherwise.
   * `installFirmware` puts the firmware guests will have (the hypervisor) on a machine, so that its SBI
   * calls are warmed up too.
   */
  static warmUp(installFirmware?: (machine: Machine) => unknown): void {
    // every page translated at once and reviewed soon: code V8 never saw running deoptimizes the loop
    const create = (ramSize: number, jit: boolean) =>
      new Machine({ harts: 1, ramSize, deterministic: true, extraUarts: 0, jit, jitThreshold: 1, jitReview: 8 });
    warmUpRunLoop(create, installFirmware && ((ramSize) => {
      const machine = create(ramSize, true);
      installFirmware(machine);
      return machine;
    }));
  }

  constructor(options: MachineOptions = {}) {
    // First, so that this machine's harts are made after the warm-up settled the classes' field types.
    Machine.warmUp();
    const harts = options.harts ?? Board.defaultHarts;
    if (!Number.isInteger(harts) || harts < 1 || harts > Board.maxHarts) {
      throw new RangeError(`harts must be 1..${Board.maxHarts}, got ${harts}`);
    }
    const extraUarts = options.extraUarts ?? Board.extraUart.max;
    const ramSize = options.ramSize ?? Board.ram.defaultSize;
    // The translator needs RAM and the harts' registers and TLBs in one WebAssembly memory.
    const memory = (options.jit ?? true) ? MachineMemory.tryCreate(ramSize, harts) : undefined;
    this.ram = new Ram(Board.ram.base, ramSize, memory);
    this.code = new CodeCache(this.ram);
    this.translator = memory ? new Jit(memory, this.code, this.ram.pageFunctions, options.jitThreshold, options.jitReview) : undefined;
    this.boardMap = new BoardMemoryMap(this.ram);
    this.clock = options.deterministic ? new InstructionClock() : new HostClock();
    this.quantum = options.quantum ?? 10_000;
    this.sbi = new Sbi(this);
    this.trace_ = options.trace ? new TraceLog() : undefined;
    for (let id = 0; id < harts; id++) {
      const hart = new Hart(id, this.ram, this.code, this.boardMap, this, memory?.hart(id));
      hart.jit = this.translator;
      hart.scounteren = 7; // OpenSBI lets U-mode read cycle, time and instret
      // Always installed (a hypervisor chains its own observer after it), so tracing can be switched on
      // at run time; with tracing off a trap costs one call and one check.
      hart.onTrap = this.observeTrap;
      this.harts.push(hart);
      this.timers.push({ deadline: Infinity, suspended: false, resume: undefined });
    }

    this.virtualExternal = new Uint8Array(harts);
    this.plic = new Plic({
      harts,
      numSources: Board.plic.sources,
      onContextChange: (context, asserted) => {
        if ((context & 1) === 0) return; // M-mode contexts: nobody listens
        const hart = this.harts[context >> 1]!;
        hart.mip = asserted || this.virtualExternal[hart.id] === 1 ? hart.mip | SEIP : hart.mip & ~SEIP;
      },
    });
    const finisher = new TestFinisher({ onFinish: (result) => this.finish(result) });
    this.bus.attach(Board.finisher.base, Board.finisher.size, finisher);
    this.bus.attach(Board.plic.base, Board.plic.size, this.plic);
    this.bus.attach(Board.pciEcam.base, Board.pciEcam.size, this.pci);
    this.bus.attach(Board.mrom.base, Board.mrom.size, this.mrom);
    this.bus.attach(Board.pciPio.base, Board.pciPio.size, new UnassignedPciWindow('pci-pio'));
    this.bus.attach(Board.pciMmio.base, Board.pciMmio.size, new UnassignedPciWindow('pci-mmio'));
    this.addUart('uart0', Board.uart0.base, Board.uart0.irq);
    for (let i = 0; i < extraUarts; i++) {
      this.addUart(`uart${i + 1}`, Board.extraUart.base + i * Board.extraUart.stride, Board.extraUart.irqBase + i);
    }
  }

  /**
   * A hypervisor asserts or drops a virtual external interrupt on `hart` (an interrupt source that exists
   * only in a cell's view of the PLIC, e.g. ivshmem INTx). SEIP is the OR of it and the hart's S context.
   */
  setVirtualExternal(hart: number, asserted: boolean): void {
    const h = this.harts[hart];
    if (h === undefined) return;
    this.virtualExternal[hart] = asserted ? 1 : 0;
    h.mip = asserted || this.plic.isAsserted(supervisorContext(hart)) ? h.mip | SEIP : h.mip & ~SEIP;
  }

  private addUart(name: string, base: number, irq: number): void {
    const out = new ConsoleBuffer();
    this.output.set(name, out);
    const uart = new Uart16550({ name, irq: this.plic.line(irq), onTransmit: (byte) => out.push(byte) });
    this.uarts.push(uart);
    this.bus.attach(base, Board.uart0.size, uart);
  }

  /** Places an image (and device tree, initrd) in RAM and starts hart 0 at its entry (board.md boot protocol). */
  boot(image: BootImage): void {
    const entry = this.loadImage(image);
    const ramEnd = this.ram.base + this.ram.size;
    let initrd: { start: number; end: number } | undefined;
    if (image.initrd) {
      // Where QEMU puts it: half-way into RAM, at most 128 MiB in.
      const start = this.ram.base + Math.min(this.ram.size / 2, 128 << 20);
      if (start + image.initrd.length > ramEnd) throw new ImageError(`initrd of ${image.initrd.length} bytes does not fit in RAM`);
      this.writePhysical(start, image.initrd);
      initrd = { start, end: start + image.initrd.length };
    }
    const dtb = buildBoardDeviceTree({
      harts: this.harts.length, ramBase: this.ram.base, ramSize: this.ram.size,
      extraUarts: this.uarts.length - 1, bootargs: image.bootargs, initrd,
    });
    // Where QEMU puts it: the top of (at most 3 GiB of) RAM, aligned down to 2 MiB.
    const dtbAddress = Math.floor((this.ram.base + Math.min(this.ram.size, 3 * 2 ** 30) - dtb.length) / 0x20_0000) * 0x20_0000;
    this.writePhysical(dtbAddress, dtb);
    this.mrom.program({ firmwareAddress: Board.firmware.base, dtbAddress, kernelEntry: entry, bootHart: 0 });
    this.initConsoleUart();
    this.harts[0]!.start(entry, 0, dtbAddress);
  }

  /**
   * What OpenSBI's uart8250_init leaves in UART0 (docs/board.md): divisor 2 (3.6864 MHz / 115200 baud,
   * rounded down as it computes it), 8N1, FIFO on, modem control lines off, scratch 0.
   */
  private initConsoleUart(): void {
    const uart = this.uarts[0]!;
    for (const [register, value] of [[1, 0], [3, 0x80], [0, 2], [1, 0], [3, 0x03], [2, 0x01], [4, 0], [7, 0]] as const) {
      uart.write(register, 1, value);
    }
  }

  /** Loads an ELF (by its physical addresses) or a raw image; returns the entry point. */
  private loadImage(image: BootImage): number {
    if (looksLikeElf(image.bytes)) {
      const elf = parseElf(image.bytes);
      for (const [i, seg] of elf.segments.entries()) {
        const end = seg.paddr + seg.memsz;
        if (this.ram.offsetOf(seg.paddr) < 0 || end > this.ram.base + this.ram.size) {
          throw new ImageError(`ELF segment ${i} at 0x${seg.paddr.toString(16)}..0x${end.toString(16)} is outside RAM ` +
            `(0x${this.ram.base.toString(16)}..0x${(this.ram.base + this.ram.size).toString(16)})`);
        }
        if (seg.memsz > 0 && overlapsFirmware(seg.paddr, end)) {
          throw new ImageError(`ELF segment ${i} at 0x${seg.paddr.toString(16)}..0x${end.toString(16)}: ${FIRMWARE_OVERLAP}`);
        }
        this.writePhysical(seg.paddr, seg.data); // the rest of memsz is already zero
      }
      if (this.ram.offsetOf(elf.entry) < 0) throw new ImageError(`ELF entry point 0x${elf.entry.toString(16)} is outside RAM`);
      return elf.entry;
    }
    const at = image.loadAddress ?? Board.kernelAddress;
    if (this.ram.offsetOf(at) < 0 || at + image.bytes.length > this.ram.base + this.ram.size) {
      throw new ImageError(`raw image of ${image.bytes.length} bytes at 0x${at.toString(16)} does not fit in RAM`);
    }
    if (overlapsFirmware(at, at + image.bytes.length)) throw new ImageError(`raw image at 0x${at.toString(16)}: ${FIRMWARE_OVERLAP}`);
    this.writePhysical(at, image.bytes);
    return at;
  }

  /** Writes bytes into RAM from the host side (loaders, the hypervisor), keeping decoded code coherent. */
  writePhysical(hpa: number, bytes: Uint8Array): void {
    this.ram.load(hpa, bytes);
    this.code.invalidateRange(hpa - this.ram.base, bytes.length);
  }

  /** Host input for a UART (typed keys). */
  input(uart: number, bytes: Uint8Array): void {
    this.uarts[uart]?.receive(bytes);
  }

  /**
   * Runs the harts round-robin for up to `maxInstructions` instructions in total, stopping early when
   * the machine finishes, faults, or every hart waits.
   */
  run(maxInstructions: number): RunOutcome {
    let executed = 0;
    let idleUntil: number | undefined;
    while (executed < maxInstructions && !this.finished && !this.fault) {
      if (this.cursor === 0) {
        this.firmware?.onRound?.();
        this.deliverTimers();
      }
      // A round gives every running hart one slice; it may span run calls, so no hart starves when the
      // caller's budgets are small.
      while (this.cursor < this.harts.length && executed < maxInstructions) {
        const hart = this.harts[this.cursor++]!;
        if (hart.state !== HartState.Running) continue;
        if (hart.idle && !this.wake(hart)) continue;
        const n = hart.run(Math.min(this.quantum, maxInstructions - executed));
        executed += n;
        if (n > this.roundMax) this.roundMax = n;
        if (hart.stuckTraps >= STUCK_TRAPS) {
          const why = this.stuckMessage(hart);
          if (this.firmware?.stuckHart?.(hart, why) !== true) this.fault = why;
        }
        if (this.finished || this.fault) break;
      }
      if (this.cursor < this.harts.length) break; // budget spent (or the machine ended) mid-round
      const ran = this.roundMax;
      this.cursor = 0;
      this.roundMax = 0;
      this.clock.advance(ran);
      if (ran === 0 && !this.finished && !this.fault) {
        const wakeAt = Math.min(this.nextDeadline(), this.firmware?.nextDeadline?.() ?? Infinity);
        if (!this.clock.deterministic || wakeAt === Infinity) {
          idleUntil = wakeAt;
          break;
        }
        this.clock.skipTo(wakeAt);
      }
    }
    this.executed += executed;
    if (this.finished) return { kind: 'finished', result: this.finished };
    if (this.fault) return { kind: 'fault', message: this.fault };
    if (idleUntil !== undefined) return { kind: 'idle', wakeAt: idleUntil };
    return { kind: 'budget' };
  }

  /** Raises STIP on harts whose timer deadline passed. */
  private deliverTimers(): void {
    const now = this.clock.now(0);
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i]!;
      if (now >= t.deadline) {
        this.harts[i]!.mip |= STIP;
        t.deadline = Infinity;
      }
    }
  }

  /** Wakes a hart waiting in WFI or SBI suspend once an interrupt it enabled is pending. */
  private wake(hart: Hart): boolean {
    if ((hart.mip & hart.sie) === 0) return false;
    hart.idle = false;
    const t = this.timers[hart.id]!;
    t.suspended = false;
    if (t.resume) {
      const { address, opaque } = t.resume;
      t.resume = undefined;
      const pending = hart.mip, enabled = hart.sie;
      hart.start(address, hart.id, opaque);
      hart.mip = pending;
      hart.sie = enabled;
    }
    return true;
  }

  private nextDeadline(): number {
    let next = Infinity;
    for (let i = 0; i < this.timers.length; i++) {
      if (this.harts[i]!.state === HartState.Running) next = Math.min(next, this.timers[i]!.deadline);
    }
    return next;
  }

  private stuckMessage(hart: Hart): string {
    const cause = hart.scause[0]!;
    const hex = (lo: number, hi: number) => '0x' + ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16);
    return `hart ${hart.id} is stuck: every trap faults again at its handler ${hex(hart.sepc[0]!, hart.sepc[1]!)} ` +
      `(scause ${cause}: ${CAUSE_NAMES[cause] ?? 'unknown'}, stval ${hex(hart.stval[0]!, hart.stval[1]!)})`;
  }

  private finish(result: FinishResult): void {
    this.finished ??= result;
    for (const h of this.harts) h.stopRequested = true;
  }

  /** Instructions executed since power-on, including the slice in progress (the trace's clock). */
  now(hart: Hart): number {
    return this.executed + hart.sliceRetired;
  }

  /** The exit trace while tracing is on; the hypervisor records into it too. */
  get trace(): TraceLog | undefined {
    return this.trace_;
  }

  /**
   * Switches the exit trace on (a fresh log keeping the newest `capacity` records) or off (the log and
   * its undrained records are dropped). Switching it on while it is on keeps the current log.
   */
  setTrace(enabled: boolean, capacity?: number): void {
    if (!enabled) this.trace_ = undefined;
    else this.trace_ ??= new TraceLog(capacity);
  }

  private readonly observeTrap = (hart: Hart, cause: number, interrupt: boolean): void => {
    if (this.trace_ !== undefined) this.traceTrap(hart, cause, interrupt);
  };

  private traceTrap(hart: Hart, cause: number, interrupt: boolean): void {
    this.trace_!.record({
      at: this.now(hart), hart: hart.id, kind: interrupt ? 'interrupt' : 'trap',
      detail: `${interrupt ? 'irq' : 'cause'} ${cause}${interrupt ? '' : ` (${CAUSE_NAMES[cause] ?? 'unknown'})`} at pc 0x${(hart.sepc[1]! * 4294967296 + (hart.sepc[0]! >>> 0)).toString(16)}`,
    });
  }

  // ---- HartExits: the bare board (no hypervisor) ----

  mmioRead(hart: Hart, gpa: number, size: 1 | 2 | 4 | 8): boolean {
    const ok = this.bus.read(gpa, size, hart.ioData);
    if (this.trace) {
      this.trace.record({ at: this.now(hart), hart: hart.id, kind: 'mmio-read',
        detail: `0x${gpa.toString(16)} size ${size} -> ${ok ? '0x' + (hart.ioData[0]! >>> 0).toString(16) : 'bus error'}` });
    }
    return ok;
  }

  mmioWrite(hart: Hart, gpa: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    const ok = this.bus.write(gpa, size, lo, hi);
    if (this.trace) {
      this.trace.record({ at: this.now(hart), hart: hart.id, kind: 'mmio-write',
        detail: `0x${gpa.toString(16)} size ${size} <- 0x${(lo >>> 0).toString(16)}${ok ? '' : ' bus error'}` });
    }
    return ok;
  }

  fetchFault(hart: Hart, gpa: number): boolean {
    this.trace?.record({ at: this.now(hart), hart: hart.id, kind: 'fetch-fault', detail: `0x${gpa.toString(16)}` });
    return true;
  }

  ecall(hart: Hart): void {
    if (this.trace) {
      this.trace.record({ at: this.now(hart), hart: hart.id, kind: 'ecall',
        detail: `eid 0x${(hart.xlo[17]! >>> 0).toString(16)} fid ${hart.xlo[16]! >>> 0}` });
    }
    this.sbi.handleEcall(hart);
  }

  time(hart: Hart): number {
    return this.clock.now(hart.sliceRetired);
  }

  // ---- SbiPlatform ----

  setTimer(hart: Hart, deadline: number): void {
    hart.mip &= ~STIP;
    if (this.clock.now(hart.sliceRetired) >= deadline) hart.mip |= STIP;
    else this.timers[hart.id]!.deadline = deadline;
    if (deadline === Infinity || (hart.mip & STIP) !== 0) this.timers[hart.id]!.deadline = Infinity;
  }

  consoleWrite(_caller: Hart, bytes: Uint8Array): void {
    this.output.get('uart0')!.append(bytes);
  }

  consoleRead(): number {
    const uart = this.uarts[0]!;
    return (uart.read(5, 1) & 1) !== 0 ? uart.read(0, 1) : -1;
  }

  systemReset(_caller: Hart, type: 'shutdown' | 'cold-reboot' | 'warm-reboot', failure: boolean): void {
    this.finish(type === 'shutdown' ? (failure ? { kind: 'fail', code: 1 } : { kind: 'pass', code: 0 }) : { kind: 'reset', code: 0 });
  }

  suspend(hart: Hart, resume?: { address: number; opaque: number }): void {
    hart.idle = true;
    hart.stopRequested = true;
    const t = this.timers[hart.id]!;
    t.suspended = true;
    t.resume = resume;
  }

  /** Forgets an SBI suspend of a hart (the hypervisor stopped it from outside; a later start is fresh). */
  cancelSuspend(hart: Hart): void {
    const t = this.timers[hart.id]!;
    t.suspended = false;
    t.resume = undefined;
  }

  hartStatus(id: number): number {
    const hart = this.harts[id]!;
    if (hart.state !== HartState.Running) return 1;
    return this.timers[id]!.suspended ? 4 : 0;
  }

  mayTarget(): boolean {
    return true;
  }

  everyHart(): readonly number[] {
    return this.harts.map((h) => h.id);
  }

  isExecutable(hart: Hart, address: number): boolean {
    return Number.isSafeInteger(address) && address >= 0 && hart.memoryMap.ramPage(address - (address % 4096), Access.Execute) >= 0;
  }

  implId(): number {
    return BOARD_IMPL_ID;
  }

  extension(hart: Hart, eid: number, fid: number): boolean {
    return this.firmware?.extension(hart, eid, fid) ?? false;
  }

  probeExtension(eid: number): boolean {
    return this.firmware?.probeExtension?.(eid) ?? false;
  }
}
