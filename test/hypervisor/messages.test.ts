/** The comm region message protocol: approvals, denials, RUNNING_LOCKED and msg_reply_timeout. */
import { describe, expect, it } from 'vitest';
import { bootLab, compileConfig, inmateImage, runScript } from './lab.ts';

const base = (a = compileConfig('inmate-a.yaml')) => ({ sys: compileConfig('lab-system.yaml'), a, b: compileConfig('inmate-b.yaml'), inmate: inmateImage() });
const startA = (cmdline: string) => ['enable sys', 'create a', 'load 1 a inmate 0', `loadstr 1 a 0x100 "${cmdline}"`, 'start 1', 'wait 20000'];

describe('comm region messages', () => {
  it('the comm region is initialised on start', () => {
    const lab = bootLab([...startA('hello done'), 'end'], base());
    runScript(lab);
    const comm = lab.hv.cells.get(1)!.comm;
    const page = lab.machine.ram.u8.subarray(comm.offset, comm.offset + 64);
    expect(new TextDecoder().decode(page.subarray(0, 6))).toBe('JHCOMM');
    expect(page[6]).toBe(2);
    expect(page[20], 'DBG_PUTC_PERMITTED | ACTIVE').toBe(3);
    expect(new DataView(page.buffer, page.byteOffset).getUint16(24 + 12, true), 'console type riscv-sbi').toBe(0x0b);
    expect(new DataView(page.buffer, page.byteOffset).getBigUint64(56, true)).toBe(0x3000_0000n);
  });

  it('a denied shutdown request makes set-loadable, start and destroy fail with -EPERM', () => {
    const lab = bootLab([...startA('deny done'), 'shutdown 1', 'start 1 ', 'destroy 1', 'state 1', 'end'], base());
    const r = runScript(lab);
    expect(r.get('shutdown 1')).toBe(-1);
    expect(r.get('start 1 ')).toBe(-1);
    expect(r.get('destroy 1')).toBe(-1);
    expect(r.get('state 1')).toBe(0);
    expect(lab.out('cell:inmate-a')).toContain('shutdown request: denied\n');
  });

  it('RUNNING_LOCKED blocks creating and destroying other cells, and denies its own shutdown', () => {
    const lab = bootLab([...startA('lock done'), 'state 1', 'create b', 'shutdown 1', 'end'], base());
    const r = runScript(lab);
    expect(r.get('state 1')).toBe(1);
    expect(r.get('create b')).toBe(-1);
    expect(r.get('shutdown 1')).toBe(-1);
  });

  it('creating a cell informs running cells (RECONFIG_COMPLETED, answered RECEIVED)', () => {
    const lab = bootLab([...startA('done'), 'create b', 'destroy 2', 'end'], base());
    const r = runScript(lab);
    expect(r.get('create b')).toBe(2);
    expect(r.get('destroy 2')).toBe(0);
  });

  it('msg_reply_timeout: a silent cell is declared failed and the call goes on', () => {
    const a = compileConfig('inmate-a.yaml', (c) => { c.msg_reply_timeout = 50_000n; });
    const lab = bootLab([...startA('ignore done'), 'shutdown 1', 'state 1', 'destroy 1', 'end'], base(a));
    const r = runScript(lab);
    expect(r.get('shutdown 1')).toBe(0);
    expect(r.get('state 1')).toBe(2);
    expect(r.get('destroy 1')).toBe(0);
    expect(lab.out('hypervisor')).toContain('Timeout expired while waiting for reply from target cell\n');
  });

  it('without a timeout the root cell waits while every other cell keeps running', () => {
    const lab = bootLab([
      'enable sys', 'create a', 'create b',
      'load 2 b inmate 0', 'loadstr 2 b 0x100 "hello wait 0x20000 hello done"', 'start 2',
      'load 1 a inmate 0', 'loadstr 1 a 0x100 "ignore done"', 'start 1', 'wait 1000', 'shutdown 1', 'end',
    ], base());
    lab.runUntil(() => false, 12_000_000);
    expect(lab.results().at(-1)?.command).toBe('wait 1000');
    expect(lab.out('uart0')).toMatch(/> shutdown 1\n$/);
    expect(lab.machine.harts[0]!.state, 'root CPU suspended in the hypervisor').toBe(2);
    expect(lab.out('cell:inmate-b').match(/hello from CPU 3/g)).toHaveLength(2);
  });
});
