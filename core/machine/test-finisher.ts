import type { AccessSize, MmioDevice } from './device.ts';

/** How a guest ended the run through the test finisher. */
export interface FinishResult {
  kind: 'pass' | 'fail' | 'reset';
  /** Exit status: 0 for pass and reset, the guest's code for fail (1 when it wrote code 0). */
  code: number;
}

/**
 * The SiFive test device ("sifive,test0") that QEMU virt guests use to power off or reset the machine.
 *
 * Only the register at offset 0 does anything. As in QEMU, the command is the low 16 bits of a 2- or
 * 4-byte write and the upper 16 bits carry the failure code: 0x5555 pass, 0x7777 reset,
 * `(code << 16) | 0x3333` fail. A failure code of 0 becomes 1 so that a failure never looks like success.
 * Any other value, byte writes and writes to other offsets are ignored (QEMU ignores unknown commands
 * too). Reads return 0.
 */
export class TestFinisher implements MmioDevice {
  readonly name: string;
  private readonly onFinish: (result: FinishResult) => void;

  constructor(options: { name?: string; onFinish: (result: FinishResult) => void }) {
    this.name = options.name ?? 'test';
    this.onFinish = options.onFinish;
  }

  read(_offset: number, _size: AccessSize): number {
    return 0;
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (offset !== 0 || size === 1) return true;
    const command = value & 0xffff;
    const code = size === 4 ? (value >>> 16) & 0xffff : 0;
    switch (command) {
      case FINISHER_PASS:
        this.onFinish({ kind: 'pass', code: 0 });
        break;
      case FINISHER_FAIL:
        this.onFinish({ kind: 'fail', code: code === 0 ? 1 : code });
        break;
      case FINISHER_RESET:
        this.onFinish({ kind: 'reset', code: 0 });
        break;
    }
    return true;
  }
}

const FINISHER_FAIL = 0x3333;
const FINISHER_PASS = 0x5555;
const FINISHER_RESET = 0x7777;
