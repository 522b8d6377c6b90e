import type { Ram } from '../cpu/ram.ts';
import { CommRegion as Layout, type CellState, type Message, type Reply } from './abi.ts';
import type { Console } from './config/types.ts';

/**
 * A cell's communication region (ABI revision 2): one page of hypervisor memory that the cell sees at
 * its COMM_REGION's GPA. The hypervisor reads the cell's state and replies from it; the cell is free to
 * write anything there, exactly as with Jailhouse.
 */
export class CommPage {
  /** `offset` is the RAM byte offset of the page. */
  constructor(private readonly ram: Ram, readonly offset: number) {}

  get cellState(): CellState {
    return this.ram.view.getUint32(this.offset + Layout.offCellState, true) as CellState;
  }

  set cellState(state: CellState) {
    this.ram.view.setUint32(this.offset + Layout.offCellState, state, true);
    this.ram.reservations.written(this.offset + Layout.offCellState, 4); // a device write: LR/SC must see it
  }

  get msgToCell(): Message {
    return this.ram.view.getUint32(this.offset + Layout.offMsgToCell, true) as Message;
  }

  get replyFromCell(): Reply {
    return this.ram.view.getUint32(this.offset + Layout.offReplyFromCell, true) as Reply;
  }

  /** jailhouse_send_msg_to_cell: clear the reply, then post the message. */
  sendMessage(message: Message): void {
    this.ram.view.setUint32(this.offset + Layout.offReplyFromCell, 0, true);
    this.ram.view.setUint32(this.offset + Layout.offMsgToCell, message, true);
    this.ram.reservations.written(this.offset + Layout.offReplyFromCell, 4);
    this.ram.reservations.written(this.offset + Layout.offMsgToCell, 4);
  }

  /**
   * What CELL_START presents to the cell: the page zeroed (state RUNNING, no message), signature,
   * revision, console flags, the cell's console and the PCI ECAM base.
   */
  initialise(flags: number, console: Console, pciMmconfigBase: bigint): void {
    const v = this.ram.view, o = this.offset;
    this.ram.u8.fill(0, o, o + 4096);
    this.ram.reservations.written(o, 4096);
    for (let i = 0; i < Layout.signature.length; i++) v.setUint8(o + i, Layout.signature.charCodeAt(i));
    v.setUint16(o + Layout.offRevision, Layout.revision, true);
    v.setUint32(o + Layout.offFlags, flags, true);
    const c = o + Layout.offConsole;
    v.setBigUint64(c, console.address, true);
    v.setUint32(c + 8, console.size, true);
    v.setUint16(c + 12, console.type, true);
    v.setUint16(c + 14, console.flags, true);
    v.setUint32(c + 16, console.divider, true);
    v.setUint32(c + 20, console.gate_nr, true);
    v.setBigUint64(c + 24, console.clock_reg, true);
    v.setBigUint64(o + Layout.offPciMmconfigBase, pciMmconfigBase, true);
  }
}
