// The machine beside the consoles: the cells with their state and lifecycle buttons (each types the
// `jailhouse` command into the root console, so the person learns it), per-cell exit statistics, and
// the RAM bar coloured by owner. Everything comes from the worker's machine snapshots.
import type { ReactNode } from 'react';
import { STAT_NAMES } from '../../core/hypervisor/abi.ts';
import { Board } from '../../core/machine/board.ts';
import type { CellSnapshot, LinkSnapshot, MachineSnapshot, MemorySnapshot } from '../../core/worker/machine-snapshot.ts';
import { commands, type LabControls } from './lab-controls.ts';
import { LinkGraph } from './link-graph.tsx';

const PALETTE = ['#e3893c', '#2da44e', '#a371f7', '#d4a72c', '#db61a2', '#3fb9d0', '#cf5c4a'];
const ROOT_COLOUR = '#5b8def';
const HYPERVISOR_COLOUR = '#8b949e';

/** A stable colour per cell: the root cell (id 0) blue, the others from the palette by id. */
export function cellColour(machine: MachineSnapshot | undefined, name: string | undefined): string | undefined {
  if (!name) return undefined;
  if (name === 'hypervisor') return HYPERVISOR_COLOUR;
  const cell = machine?.cells.find((c) => c.name === name);
  if (!cell) return undefined;
  return cell.id === 0 ? ROOT_COLOUR : PALETTE[(cell.id - 1) % PALETTE.length];
}

function cpuList(cpus: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < cpus.length; i++) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    ranges.push(j > i ? `${cpus[i]}-${cpus[j]}` : String(cpus[i]));
    i = j;
  }
  return ranges.join(',') || '—';
}

function formatRate(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n >= 10 ? n.toFixed(0) : n.toFixed(1);
}

export interface MachinePanelProps {
  machine: MachineSnapshot | undefined;
  rates: Record<string, number[]>;
  controls: LabControls;
  ramBase: number;
  ramSize: number;
  /** False while the lab sets up or after the machine stopped: the buttons would type into nothing. */
  ready: boolean;
  onType(command: string): void;
}

export function MachinePanel({ machine, rates, controls, ramBase, ramSize, ready, onType }: MachinePanelProps) {
  const enabled = machine?.hypervisor?.enabled === true;
  const cells = machine?.cells ?? [];
  const root = cells.find((c) => c.id === 0);
  const others = cells.filter((c) => c.id !== 0);
  const notCreated = controls.cells.filter((c) => !cells.some((s) => s.name === c.name));
  const button = (label: string, command: string, enabledNow = true) => (
    <button type="button" disabled={!ready || !enabledNow} onClick={() => onType(command)} title={command}
      aria-label={`${label}: ${command}`}>{label}</button>
  );

  return (
    <section className="machine-panel" aria-label="Cells">
      <div className="panel-row">
        <h2>Cells</h2>
        <span className="hv-state" data-testid="hypervisor-state">{enabled ? 'hypervisor enabled' : 'hypervisor disabled'}</span>
        {controls.sysconfig && (enabled
          ? button('Disable', commands.disable(), others.length === 0)
          : button('Enable', commands.enable(controls.sysconfig)))}
      </div>
      <ul className="cells" data-testid="cell-list">
        {root && <CellRow cell={root} colour={cellColour(machine, root.name)} rates={rates[root.name]} links={machine?.links ?? []} />}
        {others.map((cell) => {
          const lab = controls.cells.find((c) => c.name === cell.name);
          const shutDown = cell.state === 'shut down';
          return (
            <CellRow key={cell.name} cell={cell} colour={cellColour(machine, cell.name)} rates={rates[cell.name]} links={machine?.links ?? []}>
              {lab?.inmate && button('Load', commands.load(lab), shutDown)}
              {button('Start', commands.start(cell.name), shutDown)}
              {button('Shutdown', commands.shutdown(cell.name), !shutDown)}
              {button('Destroy', commands.destroy(cell.name))}
            </CellRow>
          );
        })}
        {notCreated.map((cell) => (
          <li key={cell.name} className="cell cell-absent" data-cell={cell.name}>
            <div className="cell-head">
              <span className="cell-name">{cell.name}</span>
              <span className="cell-state">not created</span>
            </div>
            <div className="cell-actions">{button('Create', commands.create(cell), enabled)}</div>
          </li>
        ))}
      </ul>
      {enabled && machine && machine.links.length > 0 && (
        <div className="links" aria-label="ivshmem links">
          <h3>ivshmem links</h3>
          {machine.links.map((link) => <LinkGraph key={link.bdf} link={link} machine={machine} />)}
        </div>
      )}
      {enabled && machine && <MemoryBar machine={machine} ramBase={ramBase} ramSize={ramSize} />}
      {enabled && machine && <DeviceList machine={machine} />}
    </section>
  );
}

function CellRow({ cell, colour, rates, links, children }: { cell: CellSnapshot; colour: string | undefined; rates: number[] | undefined; links: LinkSnapshot[]; children?: ReactNode }) {
  const total = cell.stats[0] ?? 0;
  const pci = cell.pci.map((dev) => {
    if (dev.kind !== 'ivshmem') return { key: dev.bdf, text: `${dev.bdf} ${dev.kind}`, title: `PCI ${dev.kind} ${dev.bdf}` };
    const link = links.find((l) => l.bdf === dev.bdf);
    const me = link?.endpoints.find((e) => e.cell === cell.name);
    const bar = me?.memoryEnabled ? `BAR0 0x${me.bar0.toString(16)}` : 'BAR0 off';
    return {
      key: dev.bdf,
      text: `${dev.bdf} ivshmem · peer ${dev.peer}/${dev.peers} · ${dev.intx !== undefined ? `INTx ${dev.intx}` : "MSI-X (no INTx)"} · ${me ? bar : 'not on the link'}`,
      title: `virtual PCI device ${dev.bdf}: ivshmem 2.0, protocol 0x${(dev.protocol ?? 0).toString(16)}, this cell is peer ${dev.peer} of ${dev.peers}` +
        (me ? `; doorbells sent ${me.sent}, interrupts received ${me.received}, state ${me.state}` : ''),
    };
  });
  return (
    <li className={`cell cell-state-${cell.state.replace(/[^a-z]+/g, '-')}`} data-cell={cell.name} style={{ borderLeftColor: colour }}>
      <div className="cell-head">
        <span className="cell-name">{cell.name}</span>
        <span className="cell-state" data-testid={`cell-state-${cell.name}`}>{cell.state}</span>
        <span className="cell-cpus" title="CPUs (harts) of this cell">CPU {cpuList(cell.cpus)}{cell.failedCpus.length > 0 ? ` (failed ${cpuList(cell.failedCpus)})` : ''}</span>
      </div>
      {children && <div className="cell-actions">{children}</div>}
      {pci.length > 0 && (
        <ul className="cell-pci" aria-label={`PCI devices of ${cell.name}`} data-testid={`pci-${cell.name}`}>
          {pci.map((d) => <li key={d.key} title={d.title}>{d.text}</li>)}
        </ul>
      )}
      <details className="cell-stats">
        <summary>{total} exits{rates ? `, ${formatRate(rates[0] ?? 0)}/s` : ''}</summary>
        <table>
          <thead><tr><th scope="col">exit reason</th><th scope="col">total</th><th scope="col">per s</th></tr></thead>
          <tbody>
            {STAT_NAMES.map((name, i) => (
              <tr key={name}>
                <th scope="row">{name.replace(/^vmexits_/, '')}</th>
                <td>{cell.stats[i] ?? 0}</td>
                <td>{rates ? formatRate(rates[i] ?? 0) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </li>
  );
}

function MemoryBar({ machine, ramBase, ramSize }: { machine: MachineSnapshot; ramBase: number; ramSize: number }) {
  const inRam = (r: MemorySnapshot) => r.kind !== 'comm' && r.kind !== 'io' && r.start >= ramBase && r.start < ramBase + ramSize;
  // The root cell's regions first, so the regions it lends to other cells are drawn over them.
  // Shared regions last (on top), so a small shared window is never hidden under its owners' RAM.
  const regions = machine.memory.filter(inRam).sort((a, b) =>
    Number(a.shared) - Number(b.shared) || Number(a.owner !== rootName(machine)) - Number(b.owner !== rootName(machine)));
  const owners = [...new Set(regions.map((r) => r.owner))];
  const shared = sharedRanges(machine, regions);
  return (
    <div className="memory" aria-label="RAM by owner">
      <h3>RAM <span className="memory-size">{(ramSize / 2 ** 20).toFixed(0)} MiB at 0x{ramBase.toString(16)}</span></h3>
      <div className="memory-bar" role="img" aria-label={owners.map((o) => `${o}: ${regions.filter((r) => r.owner === o).length} regions`).join('; ')}>
        {regions.map((r, i) => (
          <span key={i} className={`memory-region${r.shared ? ' shared' : ''}`}
            style={{
              left: `${((r.start - ramBase) / ramSize) * 100}%`,
              width: `max(${r.shared ? 4 : 2}px, ${(r.size / ramSize) * 100}%)`,
              background: cellColour(machine, r.owner) ?? HYPERVISOR_COLOUR,
            }}
            title={`${r.owner}: 0x${r.start.toString(16)}–0x${(r.start + r.size).toString(16)} (${formatSize(r.size)})${r.shared ? ', shared' : ''}`} />
        ))}
      </div>
      <ul className="memory-legend">
        {owners.map((owner) => {
          const own = regions.filter((r) => r.owner === owner);
          return (
            <li key={owner} title={own.map((r) => `0x${r.start.toString(16)} ${formatSize(r.size)}${r.shared ? ' (shared)' : ''}`).join(', ')}>
              <span className="swatch" style={{ background: cellColour(machine, owner) ?? HYPERVISOR_COLOUR }} />
              {owner} <span className="memory-size">{formatSize(own.reduce((n, r) => n + r.size, 0))}</span>
            </li>
          );
        })}
        {shared.length > 0 && (
          <li title="RAM more than one cell maps (ROOTSHARED regions, ivshmem sections)">
            <span className="swatch swatch-shared" />shared <span className="memory-size">{formatSize(shared.reduce((n, r) => n + r.size, 0))}</span>
          </li>
        )}
      </ul>
      {shared.length > 0 && (
        <ul className="memory-shared" aria-label="Shared memory" data-testid="shared-memory">
          {shared.map((r) => (
            <li key={r.start}>
              <span className="mono">0x{r.start.toString(16)}</span> {formatSize(r.size)}{r.what ? ` ${r.what}` : ''}: {r.owners.join(', ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Shared RAM merged into contiguous ranges with the same owners, named after the ivshmem link they belong to. */
function sharedRanges(machine: MachineSnapshot, regions: MemorySnapshot[]) {
  const byStart = new Map<number, { start: number; size: number; owners: string[] }>();
  for (const r of regions) {
    if (!r.shared) continue;
    const entry = byStart.get(r.start);
    if (entry) { if (!entry.owners.includes(r.owner)) entry.owners.push(r.owner); entry.size = Math.max(entry.size, r.size); }
    else byStart.set(r.start, { start: r.start, size: r.size, owners: [r.owner] });
  }
  const out: Array<{ start: number; size: number; owners: string[]; what: string }> = [];
  for (const r of [...byStart.values()].sort((a, b) => a.start - b.start)) {
    const link = machine.links.find((l) => r.start >= l.start && r.start < l.end);
    const what = link ? `ivshmem ${link.bdf}` : '';
    const last = out[out.length - 1];
    if (last && last.start + last.size === r.start && last.what === what && last.owners.join() === r.owners.join()) last.size += r.size;
    else out.push({ ...r, what });
  }
  return out;
}

/** What the board has at a device address (board.md), for the device list. */
export function deviceName(address: number): string {
  const b = Board;
  if (address === b.finisher.base) return 'test finisher';
  if (address >= b.clint.base && address < b.clint.base + b.clint.size) return 'CLINT';
  if (address >= b.plic.base && address < b.plic.base + b.plic.size) return 'PLIC';
  if (address === b.uart0.base) return 'UART0';
  const u = (address - b.extraUart.base) / b.extraUart.stride;
  if (Number.isInteger(u) && u >= 0 && u < b.extraUart.max) return `UART${u + 1}`;
  if (address >= b.pciEcam.base && address < b.pciEcam.base + b.pciEcam.size) return 'PCI ECAM';
  if (address >= b.pciMmio.base && address < b.pciMmio.base + b.pciMmio.size) return 'PCI MMIO';
  return 'MMIO';
}

/** The device (I/O) regions each cell maps, by address, and the virtual PCI functions' register windows. */
function DeviceList({ machine }: { machine: MachineSnapshot }) {
  const io = machine.memory.filter((r) => r.kind === 'io').sort((a, b) => a.start - b.start);
  if (io.length === 0) return null;
  return (
    <div className="devices">
      <h3>Devices <span className="memory-size">MMIO regions by owner</span></h3>
      <ul className="device-list" aria-label="Device regions" data-testid="device-list">
        {io.map((r) => {
          const uarts = r.size > Board.extraUart.stride && r.start === Board.extraUart.base
            ? `UART1–UART${Math.min(Board.extraUart.max, r.size / Board.extraUart.stride)}` : deviceName(r.start);
          return (
            <li key={`${r.owner}-${r.start}`} style={{ borderLeftColor: cellColour(machine, r.owner) ?? HYPERVISOR_COLOUR }}
              title={`${r.owner}: 0x${r.start.toString(16)}–0x${(r.start + r.size).toString(16)} (${formatSize(r.size)})`}>
              <span className="device-name">{uarts}</span> <span className="mono">0x{r.start.toString(16)}</span> <span className="memory-size">{r.owner}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function rootName(machine: MachineSnapshot): string | undefined {
  return machine.cells.find((c) => c.id === 0)?.name;
}

function formatSize(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(bytes % 2 ** 20 ? 1 : 0)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}
