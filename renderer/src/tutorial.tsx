// A lab's tutorial beside the consoles. The tutorial is the small markdown subset lab files use
// (core/lab/tutorial.ts), rendered to React elements (never to HTML strings). Each command has a Type
// button that types it into the root console, so the person sees, and learns, the exact command.
import { Fragment, type ReactNode } from 'react';
import type { Lab } from '../../core/lab/lab-file.ts';
import type { LabReport } from '../../core/lab/script.ts';
import { parseInline, parseTutorial, type Block } from '../../core/lab/tutorial.ts';

export { parseTutorial };

function inline(text: string): ReactNode[] {
  return parseInline(text).map((span, i) => span.kind === 'strong' ? <strong key={i}>{span.text}</strong>
    : span.kind === 'code' ? <code key={i}>{span.text}</code>
    : span.kind === 'em' ? <em key={i}>{span.text}</em>
    : span.text);
}

function BlockView({ block, onType, disabled }: { block: Block; onType(command: string): void; disabled: boolean }) {
  switch (block.kind) {
    case 'paragraph':
      return <p>{inline(block.text)}</p>;
    case 'code':
      return (
        <div className="commands">
          {block.lines.map((line, i) => (
            <div key={i} className="command">
              <code>{line}</code>
              <button type="button" onClick={() => onType(line)} disabled={disabled}
                aria-label={`Type ${line}`} title="Type this command into the root console">Type</button>
            </div>
          ))}
        </div>
      );
    case 'list':
      return (
        <ol>
          {block.items.map((blocks, i) => (
            <li key={i}>{blocks.map((b, j) => <BlockView key={j} block={b} onType={onType} disabled={disabled} />)}</li>
          ))}
        </ol>
      );
  }
}

export interface TutorialProps {
  lab: Lab;
  step: { index: number; total: number; description: string } | undefined;
  report: LabReport | undefined;
  /** Goals reached so far (ticked before the report, which comes once every goal is reached). */
  goals: readonly number[];
  /** False until the lab's setup steps are done (the root prompt is up). */
  ready: boolean;
  /** One line on where things stand (setting up, ready, paused, stopped). */
  status: string;
  onType(command: string): void;
}

export function Tutorial({ lab, report, goals, ready, status, onType }: TutorialProps) {
  const blocks = parseTutorial(lab.tutorial);
  return (
    <aside id="tutorial-text" className="tutorial" aria-label="Tutorial" data-region="tutorial" tabIndex={-1}>
      <h2>{lab.title}</h2>
      <p className="tutorial-status" role="status" data-testid="lab-status">
        {status}
      </p>
      <div className="tutorial-body">
        {blocks.map((block, i) => (
          <Fragment key={i}><BlockView block={block} onType={onType} disabled={!ready} /></Fragment>
        ))}
      </div>
      {lab.expect.length > 0 && (
        <section className="goals" aria-label="Goals">
          <h3>Goals</h3>
          <ul>
            {lab.expect.map((goal, i) => {
              const reached = report?.results[i]?.passed === true || goals.includes(i);
              const text = goal.kind === 'console'
                ? `${goal.console} console shows “${goal.contains}”`
                : `cell ${goal.cell} is ${goal.state}`;
              return <li key={i} className={reached ? 'goal-done' : ''}>{reached ? '✓ ' : '○ '}{text}</li>;
            })}
          </ul>
        </section>
      )}
    </aside>
  );
}
