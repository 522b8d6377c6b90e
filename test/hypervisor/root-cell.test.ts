/** After enable the root cell is confined to its config exactly like any other cell. */
import { describe, expect, it } from 'vitest';
import { bootLab, compileConfig, inmateImage, runScript } from './lab.ts';

const files = () => ({ sys: compileConfig('lab-system.yaml'), a: compileConfig('inmate-a.yaml'), inmate: inmateImage() });
const hex16 = (v: number) => '0x' + v.toString(16).padStart(16, '0');

describe('root cell confinement', () => {
  it('memory given to a cell is gone from the root cell: a write parks the root CPU', () => {
    const lab = bootLab(['enable sys', 'poke 0x8f600000 0x11', 'create a', 'poke 0x8f600004 0x22', 'end'], files());
    const r = runScript(lab);
    expect(r.get('poke 0x8f600000 0x11'), 'before create the memory is the root cell\'s').toBe(0);
    expect(r.get('create a')).toBe(1);
    const hv = lab.out('hypervisor');
    expect(hv).toContain(`FATAL: Invalid MMIO write, address: ${hex16(0x8f60_0004)}, size: 4\n`);
    expect(hv).toContain('Parking CPU 0 (Cell: "lab-root")\n');
    expect(lab.hv.failed[0]).toBe(true);
    expect(lab.peek(0x8f60_0004, 4)).toEqual(new Uint8Array(4));
    expect(lab.machine.harts[0]!.state).toBe(2); // HartState.Parked
  });

  it('hypervisor memory is never the root cell\'s', () => {
    const lab = bootLab(['enable sys', 'peek 0x8f800000', 'end'], files());
    runScript(lab);
    expect(lab.out('hypervisor')).toContain(`FATAL: Invalid MMIO read, address: ${hex16(0x8f80_0000)}, size: 4\n`);
    expect(lab.out('hypervisor')).toContain('Parking CPU 0 (Cell: "lab-root")\n');
  });

  it('a device given to a cell is gone from the root cell', () => {
    const lab = bootLab(['enable sys', 'peekb 0x10102005', 'create a', 'peekb  0x10102005', 'end'], files());
    const r = runScript(lab);
    expect(r.get('peekb 0x10102005'), 'UART2 LSR: transmitter empty').toBe(0x60);
    expect(lab.out('hypervisor')).toContain(`FATAL: Invalid MMIO read, address: ${hex16(0x1010_2005)}, size: 1\n`);
  });

  it('loadable regions are the root cell\'s only between set-loadable and start', () => {
    const lab = bootLab([
      'enable sys', 'create a', 'load 1 a inmate 0', 'peek 0x8f600000', 'start 1', 'peek  0x8f600000', 'end',
    ], files());
    const r = runScript(lab);
    const image = inmateImage();
    expect(r.get('peek 0x8f600000')).toBe(new DataView(image.buffer).getInt32(0, true));
    expect(lab.out('hypervisor')).toContain(`FATAL: Invalid MMIO read, address: ${hex16(0x8f60_0000)}, size: 4\n`);
  });

  it('IPIs and HSM calls to a cell\'s harts are refused; cell CPUs must be stopped before create', () => {
    const lab = bootLab([
      'online 3', 'enable sys', 'create a', 'stop 2', 'create  a', 'ipi 0x4', 'hstart 2', 'status 2', 'status 1', 'ipi 0x2', 'end',
    ], files());
    const r = runScript(lab);
    expect(r.get('create a'), 'CPU 2 still runs the root OS').toBe(-16);
    expect(r.get('create  a')).toBe(1);
    expect(r.get('ipi 0x4')).toBe(-3);
    expect(r.get('hstart 2')).toBe(-3);
    expect(r.get('status 2')).toBe(-3);
    expect(r.get('status 1')).toBe(0);
    expect(r.get('ipi 0x2')).toBe(0);
  });

  it('the root cell\'s PLIC view: only its own sources, only its own contexts', () => {
    const lab = bootLab([
      'enable sys', 'create a', 'poke 0xc002080 0xffffffff', 'peek 0xc002080', 'poke 0xc000038 7', 'peek 0xc000038',
      'poke 0xc000028 5', 'peek 0xc000028', 'poke 0xc002280 0xffffffff', 'end',
    ], files());
    const r = runScript(lab);
    // hart 0's S context is 1 (enable word at 0x2080); cell a took source 14
    expect(r.get('peek 0xc002080'), 'sources 10, 12, 13, 15').toBe((1 << 10) | (1 << 12) | (1 << 13) | (1 << 15));
    expect(r.get('peek 0xc000038'), 'priority of source 14 is not the root cell\'s').toBe(0);
    expect(r.get('peek 0xc000028'), 'priority of source 10').toBe(5);
    expect(lab.machine.plic.read(0x2080, 4) & (1 << 14)).toBe(0);
    // context 5 (hart 2, cell a): a violation for the root cell
    expect(lab.out('hypervisor')).toContain(`FATAL: Invalid MMIO write, address: ${hex16(0xc00_2280)}, size: 4\n`);
  });

  it('a cell cannot take the CPU that creates it', () => {
    const cfg = compileConfig('inmate-a.yaml', (c) => { c.cpus = [0n]; });
    const lab = bootLab(['enable sys', 'create a', 'end'], { ...files(), a: cfg });
    expect(runScript(lab).get('create a')).toBe(-16);
  });
});
