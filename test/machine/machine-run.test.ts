import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../core/machine/machine.ts';

describe('Machine.run', () => {
  it('counts every instruction, also those of a guest that finishes within the first call', () => {
    const machine = new Machine({ harts: 1, ramSize: 64 << 20, deterministic: true });
    machine.boot({ bytes: new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../assets/guests/conformance/rv64i.elf'))) });
    const outcome = machine.run(1e9);
    expect(outcome.kind).toBe('finished');
    expect(machine.executed).toBeGreaterThan(1000);
    expect(machine.executed).toBe(machine.harts[0]!.instret);
  });
});
