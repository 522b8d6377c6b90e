// What a console stream is called on screen. Panes are made from stream names, so the hypervisor console
// and per-cell consoles only need a line here when they appear.

export interface StreamInfo {
  title: string;
  detail: string;
}

export function describeStream(stream: string): StreamInfo {
  if (stream === 'uart0') return { title: 'UART0', detail: 'root console' };
  const uart = /^uart(\d+)$/.exec(stream);
  if (uart) return { title: `UART${uart[1]}`, detail: 'serial port' };
  if (stream === 'hypervisor') return { title: 'Hypervisor', detail: 'Jailhouse console' };
  const cell = /^cell:(.+)$/.exec(stream);
  if (cell) return { title: cell[1]!, detail: 'cell console' };
  return { title: stream, detail: 'console' };
}
