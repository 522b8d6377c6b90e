import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Board } from '../../core/machine/board.ts';
import { Machine } from '../../core/machine/machine.ts';
import { MachineHost, uartOf, type HostEnvironment } from '../../core/worker/machine-host.ts';
import { snapshotMachine } from '../../core/worker/machine-snapshot.ts';
import { MAX_MEMORY_READ, type CapturedFrame, type MachineConfig, type WorkerEvent } from '../../core/worker/protocol.ts';

const guest = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../assets/guests', `${name}.elf`)));

/** A host in a fake environment: yields and sleeps are queued and run by `settle`, time is virtual. */
function harness(installFirmware?: ConstructorParameters<typeof MachineHost>[1]) {
  const events: WorkerEvent[] = [];
  let now = 0;
  const soon: Array<() => void> = [];
  const env: HostEnvironment = {
    post: (event) => { events.push(event); },
    now: () => (now += 4), // each look at the clock is a slice's worth: one run call per tick
    yield: (fn) => { soon.push(fn); },
    sleep: (ms, fn) => { let live = true; soon.push(() => { if (live) { now += ms; fn(); } }); return { cancel: () => { live = false; } }; },
  };
  const host = new MachineHost(env, installFirmware);
  const text = (stream: string) => new TextDecoder().decode(concat(events.flatMap((e) => (e.type === 'output' && e.stream === stream ? [e.bytes] : []))));
  /** Runs queued work until `until` holds (or nothing is left). */
  const settle = (until: () => boolean = () => false, rounds = 2000) => {
    for (let k = 0; k < rounds && soon.length > 0 && !until(); k++) soon.shift()!();
  };
  return { host, events, text, settle };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

const config = (harts: number, trace = false): MachineConfig => ({ harts, ramSize: 64 << 20, deterministic: true, maxInstructions: 0, trace });

describe('machine host commands', () => {
  it('routes input by stream name and by UART index; output-only streams ignore it', () => {
    const { host, text, settle } = harness();
    host.handle({ type: 'boot', config: config(1), boot: { bytes: guest('ui/consoles') } });
    settle(() => text('uart1').includes('this is uart1'));
    host.handle({ type: 'input', stream: 'uart1', bytes: new TextEncoder().encode('to one\r') });
    host.handle({ type: 'input', stream: 'hypervisor', bytes: new TextEncoder().encode('ignored\r') });
    host.handle({ type: 'input', stream: 'cell:x', bytes: new TextEncoder().encode('ignored\r') });
    settle(() => text('uart1').includes('uart1 got: to one'));
    expect(text('uart1')).toContain('uart1 got: to one');
    host.handle({ type: 'input', uart: 2, bytes: new TextEncoder().encode('to two\r') });
    settle(() => text('uart2').includes('uart2 got: to two'));
    expect(text('uart2')).toContain('uart2 got: to two');
    expect(text('uart0')).not.toContain('got:');
  });

  it('warms up before any command and says ready; a boot after it runs as usual', () => {
    const { host, events, text, settle } = harness();
    host.warmUp();
    expect(events.map((e) => e.type)).toEqual(['ready']);
    host.handle({ type: 'boot', config: config(1), boot: { bytes: guest('ui/consoles') } });
    settle(() => text('uart1').includes('this is uart1'));
    expect(text('uart1')).toContain('this is uart1');
  });

  it('names the UART of a stream', () => {
    expect(uartOf('uart0')).toBe(0);
    expect(uartOf('uart4')).toBe(4);
    expect(uartOf('hypervisor')).toBeUndefined();
    expect(uartOf('cell:uart1')).toBeUndefined();
  });

  it('reads RAM, and refuses ranges outside RAM or over the bound with a message', () => {
    const { host, events, text, settle } = harness();
    const image = guest('ui/echo');
    host.handle({ type: 'boot', config: config(1), boot: { bytes: image } });
    settle(() => text('uart0').includes('> '));
    // The ELF's first loadable bytes are where its program header says; compare a kernel-address read with the machine's own view.
    host.handle({ type: 'read-memory', id: 7, address: Board.kernelAddress, length: 64 });
    const ok = events.find((e) => e.type === 'memory' && e.id === 7);
    expect(ok).toMatchObject({ type: 'memory', id: 7, address: Board.kernelAddress });
    expect(ok?.type === 'memory' && ok.error).toBeFalsy();
    expect(ok?.type === 'memory' && ok.bytes.length).toBe(64);

    host.handle({ type: 'read-memory', id: 8, address: 0x1000_0000, length: 16 });
    host.handle({ type: 'read-memory', id: 9, address: Board.ram.base + (64 << 20) - 8, length: 16 });
    host.handle({ type: 'read-memory', id: 10, address: Board.ram.base, length: MAX_MEMORY_READ + 1 });
    host.handle({ type: 'read-memory', id: 11, address: Board.ram.base, length: 0 });
    const error = (id: number) => { const e = events.find((x) => x.type === 'memory' && x.id === id); return e?.type === 'memory' ? e : undefined; };
    expect(error(8)?.error).toBe('0x10000000..0x10000010 is not in RAM (0x80000000..0x84000000); only RAM can be read');
    expect(error(9)?.error).toMatch(/0x83fffff8\.\.0x84000008 is not in RAM/);
    expect(error(10)?.error).toBe('65537 bytes is more than the 64 KiB one read may take');
    expect(error(11)?.error).toMatch(/length at least 1/);
    expect(error(8)?.bytes.length).toBe(0);
  });

  it('reads the bytes the guest sees', () => {
    const { host, events, text, settle } = harness();
    host.handle({ type: 'boot', config: config(1), boot: { bytes: guest('ui/echo') } });
    settle(() => text('uart0').includes('> '));
    const machine = (host as unknown as { machine: Machine }).machine;
    machine.ram.load(Board.ram.base + 0x10_0000, new TextEncoder().encode('jailhouse'));
    host.handle({ type: 'read-memory', id: 1, address: Board.ram.base + 0x10_0000, length: 9 });
    const e = events.find((x) => x.type === 'memory');
    expect(e?.type === 'memory' && new TextDecoder().decode(e.bytes)).toBe('jailhouse');
  });

  it('switches the exit trace on and off at run time', () => {
    const { host, events, text, settle } = harness();
    host.handle({ type: 'boot', config: config(1), boot: { bytes: guest('ui/echo') } });
    settle(() => text('uart0').includes('> '));
    const traces = () => events.filter((e) => e.type === 'trace');
    expect(traces()).toHaveLength(0);
    host.handle({ type: 'set-trace', enabled: true });
    host.handle({ type: 'input', stream: 'uart0', bytes: new TextEncoder().encode('hi\r') });
    settle(() => text('uart0').includes('you typed: hi') && traces().length > 0);
    expect(traces().length).toBeGreaterThan(0);
    const first = traces()[0]!;
    expect(first.type === 'trace' && first.records.some((r) => r.kind === 'mmio-read' || r.kind === 'mmio-write')).toBe(true);
    // The echo guest polls its UART: far more reads than the log keeps between flushes, counted as dropped.
    expect(first.type === 'trace' && first.records.length).toBeLessThanOrEqual(1024);
    expect(first.type === 'trace' && first.dropped).toBeGreaterThanOrEqual(0);

    host.handle({ type: 'set-trace', enabled: false });
    settle(undefined, 3); // a few ticks: the guest polls its UART, so it never sleeps
    const count = traces().length;
    host.handle({ type: 'input', stream: 'uart0', bytes: new TextEncoder().encode('again\r') });
    settle(() => text('uart0').includes('you typed: again'));
    settle(undefined, 3);
    expect(traces().length).toBe(count);
  });

  it('streams captured link frames as frames events while capture is on (config or set-capture)', () => {
    const calls: boolean[] = [];
    let pending: CapturedFrame[] = [];
    const frame = (seq: number): CapturedFrame => ({ link: '00:10.0', from: 0, to: 1, timeNs: seq * 100, length: 3, bytes: new Uint8Array([1, 2, seq]), seq });
    const { host, events, text, settle } = harness((machine) => ({
      cellState: () => undefined,
      snapshot: () => snapshotMachine(machine, undefined),
      links: {
        setCapture: (on) => { calls.push(on); },
        takeFrames: () => { const frames = pending; pending = []; return { frames, dropped: 0 }; },
      },
    }));
    host.handle({ type: 'boot', config: { ...config(1), capture: true }, boot: { bytes: guest('ui/echo') } });
    expect(calls).toEqual([true]);
    settle(() => text('uart0').includes('> '));
    pending = [frame(1), frame(2)];
    host.handle({ type: 'input', stream: 'uart0', bytes: new TextEncoder().encode('x\r') });
    settle(() => events.some((e) => e.type === 'frames'));
    const got = events.filter((e) => e.type === 'frames');
    expect(got).toHaveLength(1);
    expect(got[0]!.type === 'frames' && got[0]!.frames.map((f) => f.seq)).toEqual([1, 2]);
    host.handle({ type: 'set-capture', enabled: false });
    expect(calls).toEqual([true, false]);
    host.handle({ type: 'reset' });
    expect(calls).toEqual([true, false, false]); // the new machine keeps what set-capture asked
  });

  it('resets in place on command, keeping the trace setting', () => {
    const { host, events, text, settle } = harness();
    host.handle({ type: 'boot', config: config(1), boot: { bytes: guest('ui/echo') } });
    settle(() => text('uart0').includes('> '));
    host.handle({ type: 'set-trace', enabled: true });
    host.handle({ type: 'reset' });
    const at = events.findIndex((e) => e.type === 'reset');
    expect(events[at]).toEqual({ type: 'reset', by: 'command' });
    settle(() => events.slice(at).some((e) => e.type === 'output' && new TextDecoder().decode(e.bytes).includes('> ')));
    const machine = (host as unknown as { machine: Machine }).machine;
    expect(machine.trace).toBeDefined();
    expect(machine.executed).toBeGreaterThan(0);
  });
});

describe('machine trace switch', () => {
  it('records nothing while off and traps once on', () => {
    const machine = new Machine({ harts: 1, ramSize: 16 << 20 });
    expect(machine.trace).toBeUndefined();
    machine.setTrace(true, 8);
    const log = machine.trace!;
    for (let k = 0; k < 10; k++) log.record({ at: k, hart: 0, kind: 'trap', detail: String(k) });
    machine.setTrace(true); // already on: the same log
    expect(machine.trace).toBe(log);
    expect(log.dropped).toBe(2);
    expect(log.drain().map((r) => r.detail)).toEqual(['2', '3', '4', '5', '6', '7', '8', '9']);
    machine.setTrace(false);
    expect(machine.trace).toBeUndefined();
  });
});
