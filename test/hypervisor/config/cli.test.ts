import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConfigCommand } from '../../../core/cli/config-command.js';

const FIX = join(__dirname, '../../fixtures/configs');
const NAMES = ['qemu-riscv64', 'qemu-inmate-demo', 'qemu-ivshmem-demo'];

function memIo() {
  const files = new Map<string, Uint8Array>();
  for (const n of NAMES) {
    for (const ext of ['.yaml', '.cell']) files.set(n + ext, new Uint8Array(readFileSync(join(FIX, n + ext))));
  }
  let out = '', err = '';
  const io = {
    readFile: async (p: string) => {
      const f = files.get(p);
      if (!f) throw new Error('ENOENT: no such file');
      return f;
    },
    writeFile: async (p: string, d: Uint8Array) => { files.set(p, d); },
    stdout: (s: string) => { out += s; },
    stderr: (s: string) => { err += s; },
  };
  return { io, files, out: () => out, err: () => err, put: (p: string, s: string | Uint8Array) => files.set(p, typeof s === 'string' ? new TextEncoder().encode(s) : s) };
}

describe('jailhouse-lab config', () => {
  it('compile writes the binary (default name and -o)', async () => {
    const m = memIo();
    expect(await runConfigCommand(['compile', 'qemu-inmate-demo.yaml', '-o', 'x.cell'], m.io)).toBe(0);
    expect(Buffer.from(m.files.get('x.cell')!).equals(Buffer.from(m.files.get('qemu-inmate-demo.cell')!))).toBe(true);
    m.files.delete('qemu-riscv64.cell');
    expect(await runConfigCommand(['compile', 'qemu-riscv64.yaml'], m.io)).toBe(0);
    expect(m.files.get('qemu-riscv64.cell')!.length).toBe(1052);
  });

  it('decompile prints YAML, or writes it with -o; the result compiles back identically', async () => {
    const m = memIo();
    expect(await runConfigCommand(['decompile', 'qemu-riscv64.cell'], m.io)).toBe(0);
    expect(m.out()).toContain('kind: system');
    m.put('back.yaml', m.out());
    expect(await runConfigCommand(['compile', 'back.yaml', '-o', 'back.cell'], m.io)).toBe(0);
    expect(Buffer.from(m.files.get('back.cell')!).equals(Buffer.from(m.files.get('qemu-riscv64.cell')!))).toBe(true);
    expect(await runConfigCommand(['decompile', 'qemu-inmate-demo.cell', '--output=d.yaml'], m.io)).toBe(0);
    expect(new TextDecoder().decode(m.files.get('d.yaml'))).toContain('name: inmate-demo');
  });

  it('check: clean set exits 0, mixed .cell/.yaml inputs', async () => {
    const m = memIo();
    expect(await runConfigCommand(['check', 'qemu-riscv64.cell', 'qemu-inmate-demo.yaml', 'qemu-ivshmem-demo.cell', '--harts', '6'], m.io)).toBe(0);
    expect(m.out()).toBe('no problems found (3 configurations)\n');
  });

  it('check: errors exit 1 and are printed with cell and region', async () => {
    const m = memIo();
    const y = new TextDecoder().decode(m.files.get('qemu-inmate-demo.yaml')).replace('cpus: [2]', 'cpus: [3]');
    m.put('bad.yaml', y);
    expect(await runConfigCommand(['check', 'qemu-riscv64.yaml', 'bad.yaml', 'qemu-ivshmem-demo.yaml'], m.io)).toBe(1);
    expect(m.out()).toContain('error: cell "ivshmem-demo", cpu 3: CPU 3 is also claimed by cell "inmate-demo"\n');
    expect(m.out()).toMatch(/1 error, 0 warnings\n$/);
  });

  it('check: --harts and --image', async () => {
    const m = memIo();
    m.put('big.bin', new Uint8Array(0x100001));
    m.put('small.bin', new Uint8Array(100));
    expect(await runConfigCommand(['check', 'qemu-riscv64.yaml', 'qemu-inmate-demo.yaml', '--harts=2', '--image', 'inmate-demo=small.bin@0x100'], m.io)).toBe(1);
    expect(m.out()).toContain('error: cell "inmate-demo", cpu 2: CPU 2 does not exist on the board (2 harts: 0-1)');
    const m2 = memIo();
    m2.put('big.bin', new Uint8Array(0x100001));
    expect(await runConfigCommand(['check', 'qemu-riscv64.yaml', 'qemu-inmate-demo.yaml', '--image', 'inmate-demo=big.bin'], m2.io)).toBe(1);
    expect(m2.out()).toContain('image 0: image of 1048577 bytes at 0x0 does not fit region 0');
  });

  it('parse failures exit 2 with file:line:column', async () => {
    const m = memIo();
    m.put('broken.yaml', 'kind: cell\nname: x\nmemory_regions:\n  - {phys_start: 0x0, size: 12Q}\n');
    expect(await runConfigCommand(['compile', 'broken.yaml'], m.io)).toBe(2);
    expect(m.err()).toBe('broken.yaml:4:29: memory_regions[0].size: expected a size like 1M or 0x100000, got "12Q"\n');
    const m2 = memIo();
    const b = m2.files.get('qemu-inmate-demo.cell')!.slice();
    b[6] = 13;
    m2.put('old.cell', b);
    expect(await runConfigCommand(['decompile', 'old.cell'], m2.io)).toBe(2);
    expect(m2.err()).toBe('old.cell: revision at offset 6: expected 15, got 13\n');
    const m3 = memIo();
    const t = m3.files.get('qemu-inmate-demo.cell')!.slice();
    t.set([0x4a, 0x48, 0x58, 0x58, 0x58], 0);
    m3.put('sig.cell', t);
    expect(await runConfigCommand(['decompile', 'sig.cell'], m3.io)).toBe(2);
    expect(m3.err()).toBe('sig.cell: signature at offset 0: expected "JHCLL", got "JHXXX"\n');
  });

  it('aliases to nothing, cyclic aliases and alias bombs exit 2 with file:line:column (no uncaught exception)', async () => {
    const cases: Array<[string, string]> = [
      ['kind: cell\nname: x\nfoo: *nope\n', 'a.yaml:3:6: alias *nope refers to no anchor &nope before it\n'],
      ['kind: cell\nname: &n x\ncpus: [*n, *later]\nflags: &later []\n', 'a.yaml:3:12: alias *later refers to no anchor &later before it\n'],
      ['kind: cell\nname: x\ncpus: &c [1, *c]\n', 'a.yaml:3:14: alias *c is inside the value of its own anchor (a cycle)\n'],
      ['kind: cell\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        'a.yaml:3:8: cannot resolve the document\'s aliases: Excessive alias count indicates a resource exhaustion attack\n'],
      ['', 'a.yaml:1:1: expected a mapping with "kind: system" or "kind: cell"\n'],
    ];
    for (const [text, message] of cases) {
      for (const command of ['check', 'compile']) {
        const m = memIo();
        m.put('a.yaml', text);
        expect(await runConfigCommand([command, 'a.yaml'], m.io), text).toBe(2);
        expect(m.err(), text).toBe(message);
      }
    }
  });

  it('usage errors exit 2', async () => {
    for (const args of [[], ['frobnicate'], ['compile'], ['check'], ['check', 'a', '--harts', 'x'], ['decompile', 'a', '--bogus', '1'], ['compile', 'a', '-o']]) {
      const m = memIo();
      expect(await runConfigCommand(args, m.io)).toBe(2);
      expect(m.err()).toContain('usage: jailhouse-lab config');
    }
    const m = memIo();
    expect(await runConfigCommand(['check', 'qemu-inmate-demo.yaml'], m.io)).toBe(2);
    expect(m.err()).toContain('not a system configuration');
    const h = memIo();
    expect(await runConfigCommand(['--help'], h.io)).toBe(0);
    expect(h.out()).toContain('usage:');
    const nf = memIo();
    expect(await runConfigCommand(['decompile', 'missing.cell'], nf.io)).toBe(2);
    expect(nf.err()).toContain('missing.cell: cannot read');
  });
});
