/**
 * Virtio links in configurations: the shipped virtio cells agree with the system config, and `config check`
 * and the hypervisor refuse links whose ends are no front-end/back-end pair, have the wrong number of
 * peers or too small an R/W section, naming both cells and the bdf.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigs, formatFinding } from '../../core/hypervisor/config/check.ts';
import { protocolMismatch, virtioRole } from '../../core/hypervisor/config/shmem-protocol.ts';
import type { CellConfig, SystemConfig } from '../../core/hypervisor/config/types.ts';
import { writeCellConfig } from '../../core/hypervisor/config/binary.ts';
import { parseConfigYaml } from '../../core/hypervisor/config/yaml.ts';
import { root } from '../rootos/lab.ts';
import { bootVirtioLab, shell } from './lab.ts';
import { Ivshmem } from '../../core/hypervisor/ivshmem.ts';
import { cell, FakeHost, peerConfig } from '../ivshmem/helpers.ts';

const load = (name: string) => structuredClone(parseConfigYaml(readFileSync(resolve(root, 'guests/configs', name), 'utf8')).config);
const check = (sys: SystemConfig, cells: CellConfig[]) => checkConfigs(sys, cells, { harts: 6 }).map(formatFinding);

describe('virtio protocol pairs', () => {
  it('names the roles', () => {
    expect(virtioRole(0x8003)).toEqual({ role: 'front-end', device: 3 });
    expect(virtioRole(0xc002)).toEqual({ role: 'back-end', device: 2 });
    expect(virtioRole(0x0001)).toBeUndefined();
  });

  it('a front-end and a back-end of one device make a link; anything else does not', () => {
    expect(protocolMismatch(0x8003, 0xc003)).toBeUndefined();
    expect(protocolMismatch(0xc002, 0x8002)).toBeUndefined();
    expect(protocolMismatch(0x0001, 0x0001)).toBeUndefined();
    expect(protocolMismatch(0x8003, 0x8003)).toMatch(/^are no virtio front-end\/back-end pair \(virtio-front-console vs virtio-front-console;/);
    expect(protocolMismatch(0x8002, 0xc003)).toMatch(/^are no virtio front-end\/back-end pair \(virtio-front-blk vs virtio-back-console;/);
    expect(protocolMismatch(0x0001, 0xc003)).toBe('disagree on the protocol (ivshmem-net vs virtio-back-console)');
  });
});

describe('config check of virtio links', () => {
  it('the shipped virtio cells agree with the system config', () => {
    expect(check(load('sysconfig.yaml') as SystemConfig, [load('virtio-console.yaml') as CellConfig, load('virtio-blk.yaml') as CellConfig])).toEqual([]);
  });

  it('a wrong protocol pair names both cells and the bdf', () => {
    const blk = load('virtio-blk.yaml') as CellConfig;
    blk.pci_devices[0]!.shmem_protocol = 0x8003;
    expect(check(load('sysconfig.yaml') as SystemConfig, [blk])).toContain(
      'error: cell "virtio-blk", pci 00:0f.0: ivshmem 00:0f.0: cells "qemu-riscv64" and "virtio-blk" are no virtio front-end/back-end pair (virtio-back-blk vs virtio-front-console; a virtio link needs virtio-front-X on one end and virtio-back-X on the other)');
  });

  it('an R/W section under 2 pages is refused, and so is a size the ends disagree on', () => {
    const con = load('virtio-console.yaml') as CellConfig;
    con.memory_regions[1]!.size = 0x1000n;
    const out = check(load('sysconfig.yaml') as SystemConfig, [con]);
    expect(out).toContain('error: cell "virtio-console", region 1: ivshmem 00:0d.0: the R/W section of a virtio link must be at least 2 pages (0x2000), cell "virtio-console" gives 0x1000');
    expect(out).toContain('error: cell "virtio-console", region 1: ivshmem 00:0d.0: cells "qemu-riscv64" and "virtio-console" disagree on the R/W section (0xbe801000-0xbe80ffff, size 0xf000 vs 0xbe801000-0xbe801fff, size 0x1000)');
  });
});

describe('the device model joins virtio peers only as a pair', () => {
  it('front-end with back-end of the same device: yes; two front-ends, or another device: no', () => {
    const iv = new Ivshmem(new FakeHost());
    const back = cell(peerConfig('back', 1, 2, { protocol: 0xc003 }));
    expect(iv.check(back)).toBeUndefined();
    iv.attach(back);
    expect(iv.check(cell(peerConfig('front', 0, 2, { protocol: 0x8003 })))).toBeUndefined();
    expect(iv.check(cell(peerConfig('twin', 0, 2, { protocol: 0xc003 })))).toMatch(
      /^ivshmem 00:0e\.0: cells "twin" and "back" are no virtio front-end\/back-end pair \(virtio-back-console vs virtio-back-console;/);
    expect(iv.check(cell(peerConfig('blk', 0, 2, { protocol: 0x8002 })))).toMatch(/are no virtio front-end\/back-end pair \(virtio-front-blk vs virtio-back-console;/);
  });

  it('a virtio peer needs 2 peers and 2 pages of R/W section', () => {
    const iv = new Ivshmem(new FakeHost());
    expect(iv.check(cell(peerConfig('three', 0, 3, { protocol: 0x8003 })))).toBe('cell "three", ivshmem 00:0e.0: a virtio front-end needs a link of 2 peers, not 3');
    const small = peerConfig('small', 0, 2, { protocol: 0x8002 });
    small.memory_regions[2]!.size = 0x1000n;      // [0] RAM, [1] state table, [2] R/W section
    expect(iv.check(cell(small))).toBe('cell "small", ivshmem 00:0e.0: the R/W section of a virtio link must be at least 2 pages (0x2000), not 0x1000');
  });
});

describe('cell creation with a bad virtio link', () => {
  it('the hypervisor refuses a front-end whose protocol does not pair with the back-end', () => {
    const bad = load('virtio-console.yaml') as CellConfig;
    bad.pci_devices[0]!.shmem_protocol = 0x8002;           // a block front-end on the console link
    const lab = bootVirtioLab({ 'etc/jailhouse/bad.cell': writeCellConfig(bad) });
    const out = shell(lab, 'jailhouse cell create /etc/jailhouse/bad.cell', ['~# ']);
    expect(out).toContain('JAILHOUSE_CELL_CREATE: Invalid argument');
    expect(shell(lab, 'jailhouse cell create /etc/jailhouse/virtio-console.cell', ['~# '])).toContain('Created Jailhouse cell "virtio-console"');
  }, 300_000);
});
