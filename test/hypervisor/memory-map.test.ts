/** Second stages and page accounting, without guests. */
import { describe, expect, it } from 'vitest';
import { Access } from '../../core/cpu/environment.ts';
import { Ram } from '../../core/cpu/ram.ts';
import { MEM_COMM_REGION, MEM_EXECUTE, MEM_IO, MEM_NO_HUGEPAGES, MEM_READ, MEM_WRITE } from '../../core/hypervisor/config/types.ts';
import { Backing, CellMemoryMap, stage2TablePages } from '../../core/hypervisor/memory-map.ts';
import { PagePool } from '../../core/hypervisor/page-pool.ts';

const RAM_BASE = 0x8000_0000;
const region = (phys: number, virt: number, size: number, flags: bigint) =>
  ({ phys_start: BigInt(phys), virt_start: BigInt(virt), size: BigInt(size), flags });

describe('CellMemoryMap', () => {
  const ram = new Ram(RAM_BASE, 16 << 20);

  it('answers RAM pages with the region permissions and sends everything else to the exits', () => {
    const map = new CellMemoryMap(ram);
    map.mapRegion(region(0x8010_0000, 0, 0x10_0000, MEM_READ | MEM_WRITE | MEM_EXECUTE), 0);
    map.mapRegion(region(0x8030_0000, 0x20_0000, 0x1000, MEM_READ), 1);
    map.mapRegion(region(0x1000_0000, 0x1000_0000, 0x1000, MEM_READ | MEM_WRITE | MEM_IO), 2);
    expect(map.ramPage(0, Access.Execute)).toBe(0x10_0000);
    expect(map.ramPage(0xf_f000, Access.Write)).toBe(0x1f_f000);
    expect(map.ramPage(0x10_0000, Access.Read), 'past the end').toBe(-1);
    expect(map.ramPage(0x20_0000, Access.Read)).toBe(0x30_0000);
    expect(map.ramPage(0x20_0000, Access.Write), 'read-only').toBe(-1);
    expect(map.ramPage(0x20_0000, Access.Execute), 'not executable').toBe(-1);
    expect(map.ramPage(0x1000_0000, Access.Read), 'IO is always an exit').toBe(-1);
    expect(map.find(0x1000_0004)?.backing).toBe(Backing.Device);
    expect(map.find(0x30_0000)).toBeUndefined();
  });

  it('maps a comm region to the page the hypervisor gives it, one page only', () => {
    const map = new CellMemoryMap(ram);
    map.mapRegion(region(0, 0x10_0000, 0x2000, MEM_READ | MEM_WRITE | MEM_COMM_REGION), 0, 0x80f0_0000);
    expect(map.ramPage(0x10_0000, Access.Write)).toBe(0xf0_0000);
    expect(map.ramPage(0x10_1000, Access.Read)).toBe(-1);
  });

  it('unmaps ranges out of the middle of a region (the root cell giving memory away) and remaps them', () => {
    const map = new CellMemoryMap(ram);
    const rw = MEM_READ | MEM_WRITE;
    map.mapRegion(region(RAM_BASE, RAM_BASE, 0x80_0000, rw), 0);
    map.unmap(RAM_BASE + 0x20_0000, 0x10_0000);
    expect(map.ramPage(RAM_BASE + 0x1f_f000, Access.Read)).toBe(0x1f_f000);
    expect(map.ramPage(RAM_BASE + 0x20_0000, Access.Read)).toBe(-1);
    expect(map.ramPage(RAM_BASE + 0x2f_f000, Access.Read)).toBe(-1);
    expect(map.ramPage(RAM_BASE + 0x30_0000, Access.Read)).toBe(0x30_0000);
    expect(map.all()).toHaveLength(2);
    map.mapRegion(region(RAM_BASE + 0x20_0000, RAM_BASE + 0x20_0000, 0x10_0000, rw), 0);
    expect(map.all()).toHaveLength(3);
    expect(map.ramPage(RAM_BASE + 0x25_0000, Access.Write)).toBe(0x25_0000);
  });
});

describe('page accounting', () => {
  it('counts Sv39x4 second-stage tables like Jailhouse builds them', () => {
    const rwx = MEM_READ | MEM_WRITE | MEM_EXECUTE;
    expect(stage2TablePages([]), 'the 16 KiB root').toBe(4);
    expect(stage2TablePages([region(0x8000_0000, 0x8000_0000, 0x4000_0000, rwx)]), 'one gigapage').toBe(4);
    expect(stage2TablePages([region(0x8f60_0000, 0, 0x20_0000, rwx)]), 'one megapage').toBe(5);
    expect(stage2TablePages([region(0x8f60_0000, 0, 0x10_0000, rwx)]), '256 small pages').toBe(6);
    expect(stage2TablePages([region(0x8f60_0000, 0, 0x20_0000, rwx | MEM_NO_HUGEPAGES)]), 'NO_HUGEPAGES').toBe(6);
    expect(stage2TablePages([
      region(0x8f60_0000, 0, 0x10_0000, rwx), region(0, 0x10_0000, 0x1000, MEM_READ | MEM_WRITE | MEM_COMM_REGION),
    ]), 'the comm page shares the level-0 table').toBe(6);
  });

  it('allocates first-fit runs and reports used pages', () => {
    const pool = new PagePool('mem', 0x8f80_0000, 16);
    pool.reserve(0, 2);
    expect(pool.alloc(3)).toBe(2);
    expect(pool.alloc(4)).toBe(5);
    expect(pool.usedPages).toBe(9);
    pool.free(2, 3);
    expect(pool.alloc(2)).toBe(2);
    expect(pool.alloc(8)).toBe(-1);
    expect(pool.address(2)).toBe(0x8f80_2000);
  });
});
