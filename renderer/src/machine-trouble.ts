// States the machine does not come back from by itself, in words for the person at the keyboard: the
// root cell's CPU parked by the hypervisor, or the machine stopped (a fault, a hang, a worker error, or
// the guest powering off). The machine view shows them in the status bar and above the tutorial, with
// Reset as the way out.
import type { Ending, SessionSnapshot } from './session.ts';

export type Trouble =
  | { kind: 'root-parked'; cell: string; cpus: number[] }
  | { kind: 'ended'; ending: Ending };

/**
 * What is wrong, if anything. A guest image that powers the board off has simply finished (a test
 * program's pass or fail): that is trouble only in a lab, whose root OS should keep running.
 */
export function troubleOf(snapshot: SessionSnapshot, lab: boolean): Trouble | undefined {
  const ending = snapshot.state === 'ended' ? snapshot.ending : undefined;
  if (ending && (lab || (ending.kind !== 'pass' && ending.kind !== 'fail'))) return { kind: 'ended', ending };
  const machine = snapshot.machine;
  const root = machine?.cells.find((c) => c.id === 0);
  if (!machine || !root) return undefined;
  const cpus = machine.harts.filter((h) => h.state === 'parked' && h.cell === root.name).map((h) => h.id);
  return cpus.length > 0 ? { kind: 'root-parked', cell: root.name, cpus } : undefined;
}

export interface TroubleText {
  /** One line for the status bar. */
  short: string;
  title: string;
  detail: string;
}

export function describeTrouble(trouble: Trouble): TroubleText {
  if (trouble.kind === 'root-parked') {
    const list = trouble.cpus.join(', ');
    const cpus = trouble.cpus.length === 1 ? `CPU ${list}` : `CPUs ${list}`;
    const console = trouble.cpus.includes(0)
      ? 'The root OS ran its shell there, so the root console no longer answers.'
      : 'The root OS keeps running on its other CPUs.';
    return {
      short: `Root cell ${cpus} parked by the hypervisor`,
      title: `The root cell's ${cpus} ${trouble.cpus.length === 1 ? 'is' : 'are'} parked`,
      detail: `The hypervisor stopped ${cpus} of "${trouble.cell}" after an access its configuration does not allow ` +
        `(the hypervisor console says which). ${console} Only a reset brings the machine back.`,
    };
  }
  const ending = trouble.ending;
  switch (ending.kind) {
    case 'pass':
    case 'fail':
      return {
        short: `Machine powered off (${ending.kind === 'pass' ? 'pass' : `fail, code ${ending.code}`})`,
        title: 'The machine is powered off',
        detail: `The guest switched the board off through the test finisher (${ending.kind === 'pass' ? 'pass' : `fail, code ${ending.code}`}). Reset boots it again.`,
      };
    case 'fault':
      return { short: `Machine stopped: ${ending.message}`, title: 'The machine stopped on a fault', detail: `${ending.message}. Reset boots it again.` };
    case 'hang':
      return { short: 'Machine stopped: instruction limit reached', title: 'The machine reached its instruction limit', detail: `Where the harts were: ${ending.pcs.join(', ')}. Reset boots it again.` };
    case 'error':
      return { short: `Machine stopped: ${ending.message}`, title: 'The machine stopped with an error', detail: `${ending.message}. Reset starts a fresh machine.` };
  }
}
