import { describe, expect, it } from 'vitest';
import { Machine } from '../../core/machine/machine.ts';

/** Random programs: whatever they do, the machine only ever reports an outcome, never throws. */
describe('executing garbage', () => {
  it('120 random images run 200k instructions each without crashing the machine', () => {
    let seed = 0x2545f491;
    const rand = () => (seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x297a2d39) | 0);
    const outcomes = new Map<string, number>();
    for (let k = 0; k < 120; k++) {
      const machine = new Machine({ harts: 2, ramSize: 16 << 20, deterministic: true });
      const words = new Int32Array(2048);
      for (let w = 0; w < words.length; w++) words[w] = rand();
      // Every other image gets a trap handler that skips the faulting instruction, to go deeper.
      machine.boot({ bytes: new Uint8Array(words.buffer), loadAddress: 0x8020_0000 });
      if (k % 2 === 1) {
        const hart = machine.harts[0]!;
        hart.stvec[0] = 0x8020_0000 + 4 * (rand() & 1023);
      }
      const outcome = machine.run(200_000);
      outcomes.set(outcome.kind, (outcomes.get(outcome.kind) ?? 0) + 1);
      for (const hart of machine.harts) expect(Number.isFinite(hart.pc)).toBe(true);
    }
    expect([...outcomes.keys()].every((k) => ['budget', 'idle', 'fault', 'finished'].includes(k))).toBe(true);
  });
});
