import { describe, expect, it } from 'vitest';
import { TestFinisher, type FinishResult } from '../../core/machine/test-finisher.ts';

function makeFinisher() {
  const results: FinishResult[] = [];
  const finisher = new TestFinisher({ onFinish: (result) => results.push(result) });
  return { finisher, results };
}

describe('TestFinisher', () => {
  it('reports pass, reset and failure codes', () => {
    const { finisher, results } = makeFinisher();
    finisher.write(0, 4, 0x5555);
    finisher.write(0, 4, 0x7777);
    finisher.write(0, 4, (42 << 16) | 0x3333);
    finisher.write(0, 4, 0x3333);
    expect(results).toEqual([
      { kind: 'pass', code: 0 },
      { kind: 'reset', code: 0 },
      { kind: 'fail', code: 42 },
      { kind: 'fail', code: 1 },
    ]);
  });

  it('decodes the command from the low 16 bits, as QEMU does', () => {
    const { finisher, results } = makeFinisher();
    finisher.write(0, 4, 0xffff5555);
    finisher.write(0, 2, 0x3333);
    expect(results).toEqual([{ kind: 'pass', code: 0 }, { kind: 'fail', code: 1 }]);
  });

  it('ignores other values, byte writes and other offsets, and reads 0', () => {
    const { finisher, results } = makeFinisher();
    expect(finisher.write(0, 4, 0x1234)).toBe(true);
    expect(finisher.write(0, 1, 0x55)).toBe(true);
    expect(finisher.write(4, 4, 0x5555)).toBe(true);
    expect(results).toEqual([]);
    expect(finisher.read(0, 4)).toBe(0);
    expect(finisher.name).toBe('test');
  });
});
