import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCellConfig, writeSystemConfig } from '../../core/hypervisor/config/binary.ts';
import { parseConfigYaml } from '../../core/hypervisor/config/yaml.ts';
import { parseElf } from '../../core/machine/elf.ts';
import { bootRootOs, root } from './lab.ts';

/** A YAML config of test/rootos/configs compiled to its binary form. */
function config(name: string, edit?: (c: any) => void): Uint8Array {
  const parsed = parseConfigYaml(readFileSync(resolve(import.meta.dirname, 'configs', name), 'utf8'));
  edit?.(parsed.config);
  return parsed.kind === 'system' ? writeSystemConfig(parsed.config) : writeCellConfig(parsed.config);
}

/** The hypervisor tests' inmate (guests/hypervisor/inmate.c), flattened to the raw image cell load copies. */
function inmate(): Uint8Array {
  const elf = parseElf(new Uint8Array(readFileSync(resolve(root, 'assets/guests/hypervisor/inmate.elf'))));
  const end = Math.max(...elf.segments.map((s) => s.paddr + s.data.length));
  const image = new Uint8Array(end);
  for (const s of elf.segments) image.set(s.data, s.paddr);
  return image;
}

const files = () => ({
  'etc/jailhouse/sysconfig.cell': config('system.yaml'),
  'etc/jailhouse/tiny.cell': config('tiny.yaml'),
  'lib/inmate.bin': inmate(),
  'etc/motd': 'not a config\n',
});

describe('jailhouse tool without a hypervisor', () => {
  const lab = bootRootOs({ harts: 4, files: files() });

  it('enable fails clearly when the firmware has no hypervisor', () => {
    const out = lab.command('jailhouse enable /etc/jailhouse/sysconfig.cell');
    expect(out).toMatch(/^\[ *\d+\.\d{6}\] jailhouse: Missing hypervisor image \(the firmware offers no enable call, SBI extension 'JLAB'\)\n/);
    expect(out).toMatch(/\nJAILHOUSE_ENABLE: No such file or directory\n$/);
  });

  it('reads its files like the real tool', () => {
    expect(lab.command('jailhouse enable /etc/nothing.cell')).toBe('opening /etc/nothing.cell: No such file or directory\n');
    expect(lab.command('jailhouse enable etc/motd')).toMatch(/jailhouse: Not a system configuration\nJAILHOUSE_ENABLE: Invalid argument\n$/);
    expect(lab.command('jailhouse cell create etc/jailhouse/tiny.cell')).toBe('JAILHOUSE_CELL_CREATE: Invalid argument\n');
    expect(lab.command('jailhouse disable')).toBe('JAILHOUSE_DISABLE: Invalid argument\n');
    expect(lab.command('jailhouse cell list')).toBe('No cells: the hypervisor is not enabled (jailhouse enable SYSCONFIG starts it).\n');
    expect(lab.command('jailhouse cell start tiny')).toBe('JAILHOUSE_CELL_START: Invalid argument\n');
  });

  it('prints its usage', () => {
    expect(lab.command('jailhouse')).toMatch(/^Usage: jailhouse \{ COMMAND \| --help \| --version \}\n/);
    expect(lab.command('jailhouse cell load')).toMatch(/^Usage: jailhouse/);
  });

  it('config check reads a configuration set and reports conflicts between cells', () => {
    const clean = lab.command('jailhouse config check etc/jailhouse/sysconfig.cell etc/jailhouse/tiny.cell');
    expect(clean).toMatch(/^Reading configuration set:\n  Root cell: +\S+ \(etc\/jailhouse\/sysconfig\.cell\)\n  Non-root cell: +\S+ \(etc\/jailhouse\/tiny\.cell\)\n/);
    expect(clean).toContain('Overlapping memory regions inside cell: None\nOverlapping memory regions with hypervisor: None\n' +
      'Conflicts between non-root cells: None\nCell CPUs not in the root cell: None\n');
    const twice = lab.command('jailhouse config check etc/jailhouse/sysconfig.cell etc/jailhouse/tiny.cell etc/jailhouse/tiny.cell');
    expect(twice).toMatch(/Conflicts between non-root cells: \n  Cell "\S+", region 0: 0x[0-9a-f]+\.\.0x[0-9a-f]+\n  overlaps cell/);
    expect(twice).toMatch(/  CPU \d+ is claimed by "\S+" and "\S+"\n/);
    expect(lab.command('jailhouse config check etc/motd')).toBe('etc/motd: not a system configuration (signature "JHSYS" expected)\n');
    expect(lab.command('jailhouse config check etc/jailhouse/sysconfig.cell etc/nothing.cell')).toBe('opening etc/nothing.cell: No such file or directory\n');
  });
});

describe('jailhouse tool with the hypervisor model', () => {
  const ts = String.raw`\[ *\d+\.\d{6}\] `;
  // The real tool's columns, narrowed so a row fits 80 characters (the last one is not padded).
  const table = (rows: string[][]) =>
    ['ID', 'Name', 'State', 'Assigned CPUs', 'Failed CPUs'].map((h, i) => h.padEnd([8, 24, 16, 16, 0][i]!)).join('') + '\n' +
    rows.map((r) => r.map((c, i) => c.padEnd([8, 24, 16, 16, 0][i]!)).join('') + '\n').join('');

  it('runs the classic sequence: enable, create, load, start, list, stats, shutdown, destroy, disable', () => {
    const lab = bootRootOs({ harts: 4, files: files(), hypervisor: true });
    expect(lab.command('jailhouse enable /etc/jailhouse/sysconfig.cell')).toMatch(new RegExp(`^${ts}The Jailhouse is opening.\n$`));
    expect(lab.hv!.enabled).toBe(true);
    expect(lab.command('jailhouse cell list')).toBe(table([['0', 'lab-root', 'running', '0-3', '']]));

    expect(lab.command('jailhouse cell create /etc/jailhouse/tiny.cell')).toMatch(
      new RegExp(`^${ts}CPU2: off\n${ts}CPU3: off\n${ts}Created Jailhouse cell "tiny"\n$`));
    expect(lab.command('cpus')).toBe(
      'CPU  State     HSM state   Use\n0    online    started     shell\n1    online    started     root cell\n' +
      '2    offline   -           cell "tiny"\n3    offline   -           cell "tiny"\nonline: 0-1\n');
    expect(lab.command('jailhouse cell create /etc/jailhouse/tiny.cell')).toBe('JAILHOUSE_CELL_CREATE: File exists\n');

    expect(lab.command('jailhouse cell load tiny /lib/inmate.bin -s "hello" -a 0x100')).toBe('');
    expect(lab.command('jailhouse cell load tiny /lib/inmate.bin -a 0x200000')).toBe('JAILHOUSE_CELL_LOAD: Invalid argument\n');
    expect(lab.command('jailhouse cell load tiny /lib/inmate.bin -s "hello" -a 0x100')).toBe('');
    expect(lab.command('jailhouse cell start --name tiny')).toBe('');
    lab.runUntil(() => lab.stream('cell:tiny').includes('done'), 20_000_000);
    expect(lab.stream('cell:tiny')).toContain('hello from CPU 2');
    expect(lab.command('jailhouse cell list')).toBe(table([['0', 'lab-root', 'running', '0-1', ''], ['1', 'tiny', 'running', '2-3', '']]));

    expect(lab.command('jailhouse cell list').split('\n').every((row) => row.length <= 80)).toBe(true);

    const stats = lab.command('jailhouse cell stats --once tiny');
    expect(stats).toMatch(/^Statistics for tiny cell\n\nCOUNTER {23} {7}SUM {3}PER SEC\n/);
    // The most increased counter first, like the real tool's screen.
    expect(stats.split('\n')[3]).toMatch(/^vmexits_total /);
    const total = Number(/^vmexits_total +(\d+) +\d+$/m.exec(stats)![1]);
    const hypercalls = Number(/^vmexits_hypercall +(\d+) +\d+$/m.exec(stats)![1]);
    expect(hypercalls).toBeGreaterThan(10);      // one DEBUG_CONSOLE_PUTC per character printed
    expect(total).toBeGreaterThanOrEqual(hypercalls);

    // The live screen: on the alternate screen until q. (Its redraw every second is not waited for here:
    // a second of this machine's time costs too many instructions for a unit test.)
    const from = lab.stream('uart0').length;
    lab.type('jailhouse cell stats tiny\n');
    lab.runUntil(() => lab.stream('uart0').slice(from).includes('Q - Quit'), 200_000_000);
    const screen = lab.stream('uart0').slice(from);
    expect(screen).toContain('\x1b[?1049h');
    expect(screen).toMatch(/Statistics for tiny cell\r?\n\r?\n\x1b\[7mCOUNTER {23} {7}SUM {3}PER SEC {30}\x1b\[0m\r?\n/);
    lab.type('q');
    expect(lab.waitForPrompt(lab.stream('uart0').length)).toBe(true);
    expect(lab.stream('uart0').slice(from)).toMatch(/\x1b\[\?1049l/);

    expect(lab.command('jailhouse cell shutdown 1')).toBe('');
    expect(lab.command('jailhouse cell list')).toContain('1       tiny                    shut down       2-3');
    expect(lab.command('jailhouse cell start 7')).toBe('JAILHOUSE_CELL_START: No such file or directory\n');
    expect(lab.command('jailhouse cell destroy 0')).toBe('JAILHOUSE_CELL_DESTROY: Invalid argument\n');
    expect(lab.command('jailhouse disable')).toBe('JAILHOUSE_DISABLE: Device or resource busy\n');

    expect(lab.command('jailhouse cell destroy tiny')).toMatch(
      new RegExp(`^${ts}CPU2: online\n${ts}CPU3: online\n${ts}Destroyed Jailhouse cell "tiny"\n$`));
    expect(lab.command('cpus')).toMatch(/online: 0-3\n$/);
    expect(lab.command('jailhouse disable')).toMatch(new RegExp(`^${ts}The Jailhouse was closed.\n$`));
    expect(lab.hv!.enabled).toBe(false);
    // the system configuration was placed at the start of hypervisor memory; after disable the root sees it again
    expect(lab.command('md 0x8f800000 8')).toBe('8f800000: 5953484a 000f0353                      JHSYS...\n');

    const hv = lab.stream('hypervisor');
    expect(hv).toMatch(/Initializing Jailhouse hypervisor .* on CPU 0\n/);   // the boot CPU enters first
    for (const line of ['Activating hypervisor', 'Created cell "tiny"', 'Cell "tiny" can be loaded', 'Started cell "tiny"',
      'Closing cell "tiny"', 'Shutting down hypervisor']) expect(hv).toContain(line);
  });

  it('md of memory the root cell gave away makes the hypervisor report a violation', () => {
    const lab = bootRootOs({ harts: 4, files: files(), hypervisor: true });
    lab.command('jailhouse enable /etc/jailhouse/sysconfig.cell');
    lab.command('jailhouse cell create /etc/jailhouse/tiny.cell');
    lab.type('md 0x8f600000 16\n');
    lab.runUntil(() => lab.stream('hypervisor').includes('Parking CPU 0'), 20_000_000);
    const hv = lab.stream('hypervisor');
    expect(hv).toContain('FATAL: Invalid MMIO read, address: 0x000000008f600000, size: 4');
    expect(hv).toContain('Parking CPU 0 (Cell: "lab-root")');
  });

  it('enable with a CPU the root cell config lacks is refused by the hypervisor', () => {
    const lab = bootRootOs({ harts: 4, files: { ...files(), 'two.cell': config('system.yaml', (c) => { c.root_cell.cpus = [0n, 1n]; }) }, hypervisor: true });
    expect(lab.command('jailhouse enable two.cell')).toBe('JAILHOUSE_ENABLE: Invalid argument\n');
    expect(lab.hv!.enabled).toBe(false);
    expect(lab.command('jailhouse console')).toBe('opening /sys/devices/jailhouse/console: No such file or directory\n');
  });
});

describe('a cell on the shell\'s CPU (Jailhouse\'s linux-demo configs take CPUs 0 and 1)', () => {
  it('the shell moves off CPU 0, the cell gets CPUs 0-1, and everything comes back on destroy', () => {
    const lab = bootRootOs({
      harts: 4, hypervisor: true,
      files: { ...files(), 'etc/jailhouse/low.cell': config('tiny.yaml', (c) => { c.name = 'low'; c.cpus = [0n, 1n]; }) },
    });
    expect(lab.command('jailhouse enable /etc/jailhouse/sysconfig.cell')).toMatch(/The Jailhouse is opening.\n$/);
    const created = lab.command('jailhouse cell create /etc/jailhouse/low.cell');
    expect(created).toMatch(/CPU0: off\n.*CPU1: off\n.*Created Jailhouse cell "low"\n$/s);
    expect(lab.command('cpus')).toMatch(/^0    offline   -           cell "low"\n1    offline   -           cell "low"\n2    online    started     shell\n/m);
    expect(lab.hv!.snapshot().cells.map((c) => [c.name, c.cpus])).toEqual([['lab-root', [2, 3]], ['low', [0, 1]]]);
    expect(lab.command('jailhouse cell load low /lib/inmate.bin -s "hello" -a 0x100')).toBe('');
    expect(lab.command('jailhouse cell start low')).toBe('');
    lab.runUntil(() => lab.stream('cell:low').includes('done'), 20_000_000);
    expect(lab.stream('cell:low')).toContain('hello from CPU 0'); // the lowest CPU of the cell starts
    expect(lab.command('jailhouse cell destroy low')).toMatch(/CPU0: online\n.*CPU1: online\n/s);
    expect(lab.command('cpus')).toMatch(/online: 0-3\n$/);
    expect(lab.command('jailhouse disable')).toMatch(/The Jailhouse was closed.\n$/);
    expect(lab.command('echo done')).toBe('done\n');
  });
});
