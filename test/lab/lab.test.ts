import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCpio } from '../../core/lab/cpio.ts';
import { LabFileError, parseCount, parseLab } from '../../core/lab/lab-file.ts';
import { resolvePath } from '../../core/lab/prepare.ts';

const root = resolve(import.meta.dirname, '../..');
const labs = resolve(root, 'test/fixtures/labs');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [resolve(root, 'bin/jailhouse-lab.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Reads a newc archive back: name → bytes (directories map to undefined). */
function readCpio(bytes: Uint8Array): Map<string, Uint8Array | undefined> {
  const out = new Map<string, Uint8Array | undefined>();
  const text = (a: number, n: number) => new TextDecoder().decode(bytes.subarray(a, a + n));
  let at = 0;
  for (;;) {
    expect(text(at, 6)).toBe('070701');
    const field = (k: number) => parseInt(text(at + 6 + 8 * k, 8), 16);
    const mode = field(1), size = field(6), nameSize = field(11);
    const name = text(at + 110, nameSize - 1);
    at = Math.ceil((at + 110 + nameSize) / 4) * 4;
    if (name === 'TRAILER!!!') return out;
    out.set(name, (mode & 0o170000) === 0o040000 ? undefined : bytes.slice(at, at + size));
    at = Math.ceil((at + size) / 4) * 4;
  }
}

describe('lab files', () => {
  it('parse with defaults, counts like 10M, and paths relative to the file', () => {
    const lab = parseLab('name: x\nroot: { image: a.elf }\nsteps:\n  - wait: "# "\n    within: 10M\n  - run: 5K\n', 'labs/x.yaml');
    expect(lab.board).toEqual({ harts: 6, ramSize: 1 << 30, extraUarts: 4 });
    expect(lab.steps).toEqual([{ kind: 'wait', text: '# ', console: 'root', within: 10_000_000 }, { kind: 'run', instructions: 5000 }]);
    expect(parseCount('1_000')).toBe(1000);
    expect(parseCount('2G')).toBe(2e9);
    expect(parseCount('soon')).toBeUndefined();
    expect(resolvePath('assets/labs/tiny.yaml', '../guests/rootos.elf')).toBe('assets/guests/rootos.elf');
  });

  it('errors name the file, the line and the field', () => {
    const bad = 'name: x\nroot: { image: a.elf }\nboard:\n  ram: 12Q\nsteps:\n  - wait: "x"\n    within: soon\n';
    expect(() => parseLab(bad, 'x.yaml')).toThrow(LabFileError);
    try { parseLab(bad, 'x.yaml'); } catch (e) {
      expect((e as Error).message).toContain('x.yaml:4:8: board.ram: expected a RAM size from 1M to 2G');
      expect((e as Error).message).toContain('x.yaml:7:13: steps[0].within: expected an instruction count like 50M');
    }
    expect(() => parseLab('name: x\nroot: { image: a.elf }\nexpect:\n  - cell: a\n    state: asleep\n', 'y.yaml'))
      .toThrow(/y\.yaml:5:12: expect\[0\]\.state: must be equal to one of the allowed values: running/);
    expect(() => parseLab('name: x\nroot: { image: a.elf }\nstepz: []\n', 'z.yaml')).toThrow(/must NOT have additional properties "stepz"/);
  });

  it('YAML errors, unresolved and cyclic aliases name file, line and column; nothing throws anything else', () => {
    const cases: Array<[string, RegExp]> = [
      ['name: x\ntitle: *nope\nroot: { image: a.elf }\n', /^a\.yaml:2:8: alias \*nope refers to no anchor &nope before it$/],
      ['name: x\nroot: &r { image: *r }\n', /^a\.yaml:2:19: alias \*r is inside the value of its own anchor \(a cycle\)$/],
      ['name: [x\n', /^a\.yaml:\d+:\d+: \S/],
      ['- 1\n- 2\n', /^a\.yaml:1:1: expected a mapping/],
      ['a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        /^a\.yaml:2:8: cannot resolve the document's aliases/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try { parseLab(text, 'a.yaml'); } catch (e) { error = e; }
      expect(error, text).toBeInstanceOf(LabFileError);
      expect((error as Error).message, text).toMatch(message);
    }
  });

  it('the RAM disk is a newc archive with every parent directory, deterministic', () => {
    const a = writeCpio([{ path: '/etc/jailhouse/sys.cell', data: Uint8Array.of(1, 2, 3) }, { path: 'bin/x', data: new Uint8Array(5) }]);
    const entries = readCpio(a);
    expect([...entries.keys()]).toEqual(['bin', 'etc', 'etc/jailhouse', 'etc/jailhouse/sys.cell', 'bin/x']);
    expect(entries.get('etc/jailhouse/sys.cell')).toEqual(Uint8Array.of(1, 2, 3));
    expect(writeCpio([{ path: '/etc/jailhouse/sys.cell', data: Uint8Array.of(1, 2, 3) }, { path: 'bin/x', data: new Uint8Array(5) }])).toEqual(a);
  });
});

describe('jailhouse-lab run', () => {
  it('prints the tutorial and its goals before the console, and ticks each goal when it is reached', () => {
    const r = spawnSync(process.execPath, [resolve(root, 'bin/jailhouse-lab.mjs'), 'run', resolve(labs, 'echo.yaml')], { encoding: 'utf8', timeout: 120_000, input: '' });
    expect(r.status).toBe(0);
    const plain = r.stderr.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
    expect(plain).toMatch(/^The echo guest as a stand-in root OS\n\nType a line; the guest answers it\.\n\nGoals \(ticked here as you reach them\):\n  ○ the root console shows “echo: bye”\n\njailhouse-lab: The echo guest/);
    expect(plain).toContain('\n✓ goal reached: the root console shows “echo: bye”\n');
    expect(r.stdout).toContain('you typed: hello lab');
  });
});

describe('jailhouse-lab test', () => {
  it('types the steps, checks expectations, and proves determinism with --repeat', () => {
    const r = cli('test', resolve(labs, 'echo.yaml'), '--repeat', '2');
    expect(r.stdout).toContain('lab echo: PASS');
    expect(r.stdout).toContain('✓ console root contains "echo: bye"');
    expect(r.stdout).toContain('✓ run 2 printed the same bytes as run 1 on every console');
    expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
    expect(r.status).toBe(0);
  });

  it('a failed expectation shows the console tail and exits 1', () => {
    const r = cli('test', resolve(labs, 'echo-fails.yaml'));
    expect(r.stdout).toContain('✗ console root contains "you typed: goodbye": not seen within 2000000 instructions; root ends with:');
    expect(r.stdout).toContain('    | you typed: hello');
    expect(r.status).toBe(1);
  });

  it('the shipped ivshmem-net configuration connects to the root cell\'s link (peer 1 of 00:10.0)', () => {
    const r = cli('test', resolve(labs, 'ivshmem-net-link.yaml'));
    expect(r.stdout).toContain('✓ console hypervisor contains "Adding virtual PCI device 00:10.0 to cell \\"ivshmem-net\\""');
    expect(r.stdout).toContain('✓ console hypervisor contains "Shared memory connection established"');
    expect(r.status).toBe(0);
  });

  it('an invalid lab file exits 2 naming the line', () => {
    const r = cli('test', resolve(labs, 'broken.yaml'));
    expect(r.stderr).toMatch(/broken\.yaml:3:\d+: board\.harts: must be <= 32/);
    expect(r.status).toBe(2);
  });
});
