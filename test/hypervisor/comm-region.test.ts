/** The hypervisor's writes into a comm page are device writes: they end LR reservations on those bytes. */
import { describe, expect, it } from 'vitest';
import { Ram } from '../../core/cpu/ram.ts';
import { CellState, CommRegion } from '../../core/hypervisor/abi.ts';
import { CommPage } from '../../core/hypervisor/comm-region.ts';

describe('CommPage writes and LR reservations', () => {
  it('a posted message or a state change makes a pending SC on that field fail; other granules keep theirs', () => {
    const ram = new Ram(0x8000_0000, 1 << 20);
    const page = new CommPage(ram, 0x3000);
    const msg = 0x3000 + CommRegion.offMsgToCell, state = 0x3000 + CommRegion.offCellState;
    const console = 0x3000 + CommRegion.offConsole; // the next-but-one granule: the hypervisor never writes it at run time
    ram.reservations.reserve(2, msg);
    ram.reservations.reserve(3, console);
    page.sendMessage(1 as never);
    expect(ram.reservations.take(2, msg)).toBe(false);
    expect(ram.reservations.take(3, console)).toBe(true);
    ram.reservations.reserve(2, state);
    page.cellState = CellState.Failed;
    expect(ram.reservations.take(2, state)).toBe(false);
  });
});
