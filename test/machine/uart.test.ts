import { describe, expect, it } from 'vitest';
import { Uart16550 } from '../../core/machine/uart16550.ts';

const RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

function makeUart() {
  const sent: number[] = [];
  const irqEdges: boolean[] = [];
  let level = false;
  const uart = new Uart16550({
    name: 'uart0',
    irq: { set: (value) => { level = value; irqEdges.push(value); } },
    onTransmit: (byte) => sent.push(byte),
  });
  const rd = (offset: number) => uart.read(offset, 1);
  const wr = (offset: number, value: number) => expect(uart.write(offset, 1, value)).toBe(true);
  return { uart, sent, irqEdges, level: () => level, rd, wr };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('Uart16550 registers', () => {
  it('has the QEMU reset values', () => {
    const { rd } = makeUart();
    expect(rd(IER)).toBe(0);
    expect(rd(IIR)).toBe(0x01);
    expect(rd(LCR)).toBe(0);
    expect(rd(MCR)).toBe(0x08);
    expect(rd(LSR)).toBe(0x60);
    expect(rd(MSR)).toBe(0xb0);
    expect(rd(SCR)).toBe(0);
  });

  it('transmits THR writes at once and keeps THRE/TEMT set', () => {
    const { sent, rd, wr } = makeUart();
    wr(THR, 0x41);
    wr(THR, 0x142); // only the low byte counts
    expect(sent).toEqual([0x41, 0x42]);
    expect(rd(LSR) & 0x60).toBe(0x60);
  });

  it('switches offsets 0 and 1 to the divisor latch while DLAB is set', () => {
    const { sent, rd, wr } = makeUart();
    wr(LCR, 0x83);
    expect(rd(0)).toBe(0x0c); // default divisor: 9600 baud
    expect(rd(1)).toBe(0);
    wr(0, 0x01);
    wr(1, 0x02);
    expect(sent).toEqual([]);
    expect(rd(0)).toBe(0x01);
    expect(rd(1)).toBe(0x02);
    wr(LCR, 0x03);
    expect(rd(IER)).toBe(0); // IER untouched by the DLM write
    wr(IER, 0x05);
    expect(rd(IER)).toBe(0x05);
    wr(LCR, 0x83);
    expect(rd(1)).toBe(0x02);
    expect(rd(LCR)).toBe(0x83);
  });

  it('keeps SCR and masks IER and MCR to their implemented bits', () => {
    const { rd, wr } = makeUart();
    wr(SCR, 0x5a);
    expect(rd(SCR)).toBe(0x5a);
    wr(IER, 0xff);
    expect(rd(IER)).toBe(0x0f);
    wr(MCR, 0xff);
    expect(rd(MCR)).toBe(0x1f);
  });

  it('ignores writes to LSR and MSR and offsets past the register file', () => {
    const { uart, rd, wr } = makeUart();
    wr(LSR, 0);
    wr(MSR, 0);
    expect(rd(LSR)).toBe(0x60);
    expect(rd(MSR)).toBe(0xb0);
    expect(uart.write(0x40, 1, 1)).toBe(true);
    expect(uart.read(0x40, 1)).toBe(0);
  });

  it('answers wider reads with the byte at the offset zero-extended', () => {
    const { uart } = makeUart();
    uart.write(SCR, 4, 0x12345678);
    expect(uart.read(SCR, 4)).toBe(0x78);
    expect(uart.read(LSR, 2)).toBe(0x60);
  });

  it('reflects MCR into MSR and echoes transmitted bytes in loopback', () => {
    const { sent, rd, wr } = makeUart();
    wr(MCR, 0x10 | 0x0a); // loop, RTS, OUT2
    expect(rd(MSR) & 0xf0).toBe(0x90); // CTS and DCD: Linux's 8250 loopback probe
    wr(THR, 0x33);
    expect(sent).toEqual([]);
    expect(rd(LSR) & 1).toBe(1);
    expect(rd(RBR)).toBe(0x33);
  });
});

describe('Uart16550 receive path', () => {
  it('holds one byte without FIFOs and feeds the rest from the host queue', () => {
    const { uart, rd } = makeUart();
    uart.receive(bytes('abc'));
    expect(uart.hasPendingInput).toBe(true);
    expect(uart.queuedInputBytes).toBe(2);
    expect(rd(LSR) & 1).toBe(1);
    const got: number[] = [];
    while (rd(LSR) & 1) got.push(rd(RBR));
    expect(String.fromCharCode(...got)).toBe('abc');
    expect(uart.hasPendingInput).toBe(false);
    expect(rd(LSR)).toBe(0x60);
    expect(rd(RBR)).toBe(0x63); // non-FIFO: RBR keeps the last byte
  });

  it('fills 16 bytes in FIFO mode and loses nothing of a long paste', () => {
    const { uart, rd, wr } = makeUart();
    wr(FCR, 0x07);
    const text = 'The quick brown fox jumps over the lazy dog';
    uart.receive(bytes(text.slice(0, 20)));
    uart.receive(bytes(text.slice(20)));
    expect(uart.queuedInputBytes).toBe(text.length - 16);
    let got = '';
    while (rd(LSR) & 1) got += String.fromCharCode(rd(RBR));
    expect(got).toBe(text);
    expect(rd(RBR)).toBe(0); // FIFO mode: empty RBR reads 0
  });

  it('flushes the receive FIFO on FCR RFR and when FIFO mode toggles, then refills from the host', () => {
    const { uart, rd, wr } = makeUart();
    wr(FCR, 0x01);
    uart.receive(bytes('0123456789abcdefXY'));
    wr(FCR, 0x03); // reset receive FIFO: the 16 bytes in it are gone, X and Y move in
    expect(String.fromCharCode(rd(RBR), rd(RBR))).toBe('XY');
    expect(rd(LSR) & 1).toBe(0);
    uart.receive(bytes('Z'));
    wr(FCR, 0x00); // disabling the FIFO flushes it
    expect(rd(LSR) & 1).toBe(0);
    expect(uart.hasPendingInput).toBe(false);
  });
});

describe('Uart16550 interrupts', () => {
  it('raises RX data available (IIR 0x04) and lowers the line when drained', () => {
    const { uart, irqEdges, level, rd, wr } = makeUart();
    wr(IER, 0x01);
    expect(irqEdges).toEqual([]);
    uart.receive(bytes('hi'));
    expect(level()).toBe(true);
    expect(rd(IIR)).toBe(0x04);
    rd(RBR);
    expect(level()).toBe(true); // "i" moved in from the host queue
    rd(RBR);
    expect(level()).toBe(false);
    expect(rd(IIR)).toBe(0x01);
    expect(irqEdges).toEqual([true, false]);
  });

  it('reports 0xC4 at the trigger level and the character timeout 0xCC below it', () => {
    const { uart, rd, wr } = makeUart();
    wr(FCR, 0x41); // FIFO on, trigger level 4
    wr(IER, 0x01);
    expect(rd(IIR)).toBe(0xc1);
    uart.receive(bytes('abc'));
    expect(rd(IIR)).toBe(0xcc);
    uart.receive(bytes('d'));
    expect(rd(IIR)).toBe(0xc4);
    rd(RBR);
    expect(rd(IIR)).toBe(0xcc);
    rd(RBR);
    rd(RBR);
    rd(RBR);
    expect(rd(IIR)).toBe(0xc1);
  });

  it('raises THR empty when THRI is enabled, clears it on an IIR read, re-arms on THR write', () => {
    const { level, rd, wr } = makeUart();
    wr(FCR, 0x01);
    wr(IER, 0x02);
    expect(level()).toBe(true);
    expect(rd(IIR)).toBe(0xc2);
    expect(level()).toBe(false); // reading IIR that reported THRI acknowledged it
    expect(rd(IIR)).toBe(0xc1);
    wr(THR, 0x21);
    expect(level()).toBe(true);
    expect(rd(IIR)).toBe(0xc2);
    expect(level()).toBe(false);
  });

  it('re-raises THR empty when THRI is toggled off and on even after an IIR read', () => {
    const { level, rd, wr } = makeUart();
    wr(IER, 0x02);
    rd(IIR);
    expect(level()).toBe(false);
    wr(IER, 0x02); // unchanged IER: no re-arm
    expect(level()).toBe(false);
    wr(IER, 0x00);
    wr(IER, 0x02);
    expect(level()).toBe(true);
    wr(IER, 0x00);
    expect(level()).toBe(false);
    expect(rd(IIR)).toBe(0x01);
  });

  it('prioritises RX data over THR empty, and THR empty is not acknowledged by reporting RX', () => {
    const { uart, level, rd, wr } = makeUart();
    wr(IER, 0x03);
    uart.receive(bytes('x'));
    expect(rd(IIR)).toBe(0x04);
    expect(rd(IIR)).toBe(0x04);
    rd(RBR);
    expect(rd(IIR)).toBe(0x02);
    expect(rd(IIR)).toBe(0x01);
    expect(level()).toBe(false);
  });

  it('prioritises line status (overrun) over RX data and clears it on LSR read', () => {
    const { level, rd, wr } = makeUart();
    wr(MCR, 0x18); // loopback: the only way to overrun, host input never does
    wr(IER, 0x05);
    wr(THR, 1);
    expect(rd(IIR)).toBe(0x04);
    wr(THR, 2); // no FIFO: overrun
    expect(rd(IIR)).toBe(0x06);
    expect(rd(LSR) & 0x03).toBe(0x03);
    expect(rd(LSR) & 0x02).toBe(0);
    expect(rd(IIR)).toBe(0x04);
    expect(rd(RBR)).toBe(2);
    expect(level()).toBe(false);
  });

  it('keeps the interrupt masked while IER does not enable it, and raises it when enabled', () => {
    const { uart, level, rd, wr } = makeUart();
    uart.receive(bytes('q'));
    expect(level()).toBe(false);
    expect(rd(IIR)).toBe(0x01);
    wr(IER, 0x01);
    expect(level()).toBe(true);
  });

  it('reset restores power-on registers but keeps queued host input', () => {
    const { uart, level, rd, wr } = makeUart();
    wr(IER, 0x03);
    wr(SCR, 9);
    uart.receive(bytes('ab'));
    uart.reset();
    expect(level()).toBe(false);
    expect(rd(IER)).toBe(0);
    expect(rd(SCR)).toBe(0);
    expect(rd(RBR)).toBe(0x62); // 'a' was in the FIFO and is gone; 'b' was still queued on the host side
  });
});
