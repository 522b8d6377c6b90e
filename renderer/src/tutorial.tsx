// A lab's tutorial beside the consoles. The tutorial is the small markdown subset lab files use
// (paragraphs, numbered lists, indented command blocks, **bold**, *emphasis*, `code`), rendered to React elements
// (never to HTML strings). Each command has a Type button that types it into the root console, so the
// person sees, and learns, the exact command.
import { Fragment, type ReactNode } from 'react';
import type { Lab } from '../../core/lab/lab-file.ts';
import type { LabReport } from '../../core/lab/script.ts';

type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'code'; lines: string[] }
  | { kind: 'list'; items: Block[][] };

/** Splits the tutorial into blocks; list items hold their own paragraphs and command blocks. */
export function parseTutorial(markdown: string): Block[] {
  const lines = markdown.replace(/\t/g, '    ').split('\n');
  const blocks: Block[] = [];
  let item: Block[] | undefined;
  let itemIndent = 0;
  let paragraph: string[] | undefined;
  let code: string[] | undefined;

  const target = () => item ?? blocks;
  const endParagraph = () => {
    if (paragraph) target().push({ kind: 'paragraph', text: paragraph.join(' ') });
    paragraph = undefined;
  };
  const endCode = () => {
    if (code) target().push({ kind: 'code', lines: code });
    code = undefined;
  };

  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    const listItem = /^(\d+)\.\s+(.*)$/.exec(text);
    if (text === '') {
      endParagraph();
      endCode();
      continue;
    }
    if (listItem && indent < itemIndent + 4) {
      endParagraph();
      endCode();
      if (!item) {
        const list: Block = { kind: 'list', items: [] };
        blocks.push(list);
      }
      const list = blocks[blocks.length - 1] as Extract<Block, { kind: 'list' }>;
      item = [];
      list.items.push(item);
      itemIndent = indent + listItem[1]!.length + 2;
      paragraph = [listItem[2]!];
      continue;
    }
    if (item && indent < itemIndent) {
      // Back at the left margin: the list is over.
      endParagraph();
      endCode();
      item = undefined;
      itemIndent = 0;
    }
    if (indent >= itemIndent + 4) {
      endParagraph();
      (code ??= []).push(text);
      continue;
    }
    endCode();
    (paragraph ??= []).push(text);
  }
  endParagraph();
  endCode();
  return blocks;
}

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const token = match[0];
    out.push(token.startsWith('**') ? <strong key={match.index}>{token.slice(2, -2)}</strong>
      : token.startsWith('`') ? <code key={match.index}>{token.slice(1, -1)}</code>
      : <em key={match.index}>{token.slice(1, -1)}</em>);
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
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
  /** False until the lab's setup steps are done (the root prompt is up). */
  ready: boolean;
  /** One line on where things stand (setting up, ready, paused, stopped). */
  status: string;
  onType(command: string): void;
}

export function Tutorial({ lab, report, ready, status, onType }: TutorialProps) {
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
              const result = report?.results[i];
              const text = goal.kind === 'console'
                ? `${goal.console} console shows “${goal.contains}”`
                : `cell ${goal.cell} is ${goal.state}`;
              return <li key={i} className={result?.passed ? 'goal-done' : ''}>{result?.passed ? '✓ ' : '○ '}{text}</li>;
            })}
          </ul>
        </section>
      )}
    </aside>
  );
}
