/**
 * The hypervisor end to end with real guests: the root-cell test OS (guests/hypervisor/root.c) enables
 * the hypervisor through the lab firmware, creates, loads, starts, shuts down, restarts and destroys an
 * inmate (guests/hypervisor/inmate.c), and disables the hypervisor again.
 */
import { describe, expect, it } from 'vitest';
import { bootLab, compileConfig, inmateImage, runScript } from './lab.ts';

const JLAB = 0x4a4c_4142, JHOU = 0x4a48_4f55;
const files = () => ({ sys: compileConfig('lab-system.yaml'), a: compileConfig('inmate-a.yaml'), b: compileConfig('inmate-b.yaml'), inmate: inmateImage() });

describe('hypervisor lifecycle', () => {
  it('enables, runs a cell through its whole life and disables again', () => {
    const lab = bootLab([
      'implid', `probe 0x${JLAB.toString(16)}`, `probe 0x${JHOU.toString(16)}`,
      'enable sys',
      'implid ', `probe  0x${JHOU.toString(16)}`, `probe  0x${JLAB.toString(16)}`,
      'info 4', 'info 1',
      'create a', 'info  4', 'info  1', 'state 1',
      'load 1 a inmate 0', 'loadstr 1 a 0x100 "hello wait 0x2000 hello done"',
      'start 1', 'wait 200000', 'state  1', 'cpuinfo 2 0', 'cpuinfo 2 1003',
      'shutdown 1', 'state   1',
      'start  1', 'wait  200000', 'state    1',
      'destroy 1', 'info   4', 'info   1', 'state     1',
      'disable', 'implid  ',
      'end',
    ], files());
    const r = runScript(lab);
    const hvOut = lab.out('hypervisor');
    expect(r.get('implid'), 'board firmware id before enable').toBe(JLAB);
    expect(r.get(`probe 0x${JLAB.toString(16)}`)).toBe(1);
    expect(r.get(`probe 0x${JHOU.toString(16)}`)).toBe(0);
    expect(r.get('enable sys')).toBe(0);
    expect(r.get('implid ')).toBe(JHOU);
    expect(r.get(`probe  0x${JHOU.toString(16)}`)).toBe(1);
    expect(r.get(`probe  0x${JLAB.toString(16)}`), 'the root cell keeps the lab firmware extension').toBe(1);
    expect(r.get('info 4')).toBe(1);
    expect(r.get('create a')).toBe(1);
    expect(r.get('info  4')).toBe(2);
    expect(r.get('info  1')!, 'creating a cell costs pool pages').toBeGreaterThan(r.get('info 1')!);
    expect(r.get('state 1')).toBe(2);
    expect(r.get('load 1 a inmate 0')).toBe(0);
    expect(r.get('start 1')).toBe(0);
    expect(r.get('state  1')).toBe(0);
    expect(r.get('cpuinfo 2 0')).toBe(0);
    expect(r.get('cpuinfo 2 1003'), 'hypercalls counted on the inmate CPU').toBeGreaterThan(20);
    expect(r.get('shutdown 1')).toBe(0);
    expect(r.get('state   1')).toBe(2);
    expect(r.get('start  1')).toBe(0);
    expect(r.get('state    1')).toBe(0);
    expect(r.get('destroy 1')).toBe(0);
    expect(r.get('info   4')).toBe(1);
    expect(r.get('info   1'), 'destroying gives every page back').toBe(r.get('info 1'));
    expect(r.get('state     1')).toBe(-2);
    expect(r.get('disable')).toBe(0);
    expect(r.get('implid  ')).toBe(JLAB);
    expect(lab.machine.output.has('uart0')).toBe(true);

    const all = hvOut.split('\n').filter((l) => l !== '');
    // setup.c's banner: where the code is, and the page pools after early and late setup (the late
    // numbers are what HYPERVISOR_GET_INFO answered right after enable).
    expect(all[1]).toMatch(/^Code location: 0x[0-9a-f]{16}$/);
    const pools = all.filter((l) => l.startsWith('Page pool usage'));
    expect(pools).toHaveLength(2);
    expect(pools[0]).toMatch(/^Page pool usage after early setup: mem \d+\/\d+, remap \d+\/131072$/);
    expect(pools[1]).toBe(`Page pool usage after late setup: mem ${r.get('info 1')}/${r.get('info 0') ?? /mem \d+\/(\d+)/.exec(pools[0]!)![1]}, remap ${/remap (\d+)/.exec(pools[1]!)![1]}/131072`);
    expect(all.indexOf(pools[1]!)).toBe(all.indexOf('Activating hypervisor') - 1);
    const lines = all.filter((l) => !l.startsWith('Page pool usage') && !l.startsWith('Code location'));
    expect(lines).toEqual([
      'Initializing Jailhouse hypervisor v0.12 (jailhouse-lab) on CPU 0',
      'Initializing processors:',
      ' CPU 0... OK',
      'Activating hypervisor',
      'Created cell "inmate-a"',
      'Cell "inmate-a" can be loaded',
      'Started cell "inmate-a"',
      'Cell "inmate-a" can be loaded',
      'Started cell "inmate-a"',
      'Closing cell "inmate-a"',
      'Shutting down hypervisor',
      ' Releasing CPU 1',
      ' Releasing CPU 2',
      ' Releasing CPU 3',
      ' Releasing CPU 0',
    ]);
    const cell = lab.out('cell:inmate-a');
    expect(cell.match(/hello from CPU 2\n/g)).toHaveLength(4);
    expect(cell).toContain('shutdown request: approved\n');
    expect(lab.out('uart0')).not.toContain('hello from CPU');
  });

  it('enters on every online CPU before activating, and releases each on disable', () => {
    const lab = bootLab(['online 2', 'enable sys', 'cpuinfo 1 0', 'cpuinfo 0 0', 'disable', 'end'], files());
    const r = runScript(lab);
    expect(r.get('enable sys')).toBe(0);
    expect(r.get('cpuinfo 1 0')).toBe(0);
    expect(r.get('disable')).toBe(0);
    const hvOut = lab.out('hypervisor');
    expect(hvOut).toMatch(/ CPU 0... OK\n CPU 1... OK\nPage pool usage after late setup: [^\n]*\nActivating hypervisor\n/);
    expect(hvOut).toMatch(/Shutting down hypervisor\n Releasing CPU 2\n Releasing CPU 3\n Releasing CPU 1\n Releasing CPU 0\n$/);
    expect(lab.hv.enabled).toBe(false);
  });

  it('refuses a broken system configuration, and a second enable', () => {
    const sys = compileConfig('lab-system.yaml');
    const bad = sys.slice();
    bad[6] = 14; // revision
    const lab = bootLab(['enable bad', 'enter 0x8f900000', 'enable sys', 'enter 0x8f800000', 'end'], { ...files(), bad });
    const r = runScript(lab);
    expect(r.get('enable bad')).toBe(-22);
    expect(r.get('enter 0x8f900000'), 'no configuration there').toBe(-22);
    expect(r.get('enable sys')).toBe(0);
    expect(r.get('enter 0x8f800000'), 'already enabled').toBe(-16);
    expect(lab.out('hypervisor').match(/Activating hypervisor/g)).toHaveLength(1);
  });

  it('the hypervisor console ring is mapped read-only into the root cell', () => {
    const lab = bootLab(['conpage', 'enable sys', 'conpage ', 'peek 0x8f809000', 'peek 0x8f809004', 'create a', 'peek  0x8f809004', 'poke 0x8f809000 1', 'end'], files());
    const r = runScript(lab);
    expect(r.get('conpage'), 'no console before enable').toBe(-2);
    expect(r.get('conpage '), 'a page of hypervisor memory').toBe(0x8f80_9000);
    expect(r.get('peek 0x8f809000'), 'busy counter even: not being written').toBe(r.get('peek 0x8f809000')! & ~1);
    const before = r.get('peek 0x8f809004')!;
    expect(r.get('peek  0x8f809004')! - before).toBe('Created cell "inmate-a"\n'.length);
    const hv = lab.out('hypervisor');
    const ring = new TextDecoder().decode(lab.peek(0x8f80_9008, before));
    expect(hv.startsWith(ring)).toBe(true);
    expect(hv).toContain(`FATAL: Invalid MMIO write, address: 0x000000008f809000, size: 4\n`);
  });

  it('disable is refused while other cells exist', () => {
    const lab = bootLab(['enable sys', 'create a', 'disable', 'destroy 1', 'disable', 'end'], files());
    const r = runScript(lab);
    expect(r.get('create a')).toBe(1);
    expect(lab.results().filter((x) => x.command === 'disable').map((x) => x.value)).toEqual([-16, 0]);
  });
});
