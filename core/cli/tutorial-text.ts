import type { Lab, LabExpectation } from '../lab/lab-file.ts';
import { parseInline, parseTutorial, type Block } from '../lab/tutorial.ts';

/**
 * A lab's tutorial and goals as terminal text for `jailhouse-lab run`: paragraphs wrapped to `width`,
 * numbered steps, each command on its own line after "$ " (to be typed), **bold** in bold, and the goals
 * with an open circle each (they are ticked as they are reached).
 */
export function tutorialText(lab: Lab, width = 80): string {
  const out: string[] = [`\x1b[1m${lab.title}\x1b[0m`, ''];
  const blocks = (items: Block[], indent: string) => {
    for (const block of items) {
      if (block.kind === 'paragraph') out.push(...wrap(block.text, width, indent, indent), '');
      else if (block.kind === 'code') {
        for (const line of block.lines) out.push(`${indent}  \x1b[1m$ ${line}\x1b[0m`);
        out.push('');
      } else {
        block.items.forEach((item, k) => {
          const number = `${k + 1}. `;
          const inner = indent + ' '.repeat(number.length);
          const [first, ...rest] = item;
          if (first?.kind === 'paragraph') {
            out.push(...wrap(first.text, width, indent + number, inner), '');
            blocks(rest, inner);
          } else blocks(item, inner);
        });
      }
    }
  };
  blocks(parseTutorial(lab.tutorial), '');
  if (lab.expect.length > 0) {
    out.push('\x1b[1mGoals\x1b[0m (ticked here as you reach them):');
    for (const goal of lab.expect) out.push(`  ○ ${goalText(goal)}`);
    out.push('');
  }
  while (out[out.length - 1] === '') out.pop();
  return out.map((line) => `${line}\r\n`).join('') + '\r\n';
}

/** A goal in the words the app's tutorial panel uses. */
export function goalText(goal: LabExpectation): string {
  return goal.kind === 'console' ? `the ${goal.console} console shows “${goal.contains}”` : `cell ${goal.cell} is ${goal.state}`;
}

/** Words of a paragraph (inline markup applied) over lines of at most `width` visible characters. */
function wrap(text: string, width: number, first: string, rest: string): string[] {
  const words: string[] = [];
  for (const span of parseInline(text)) {
    const styled = (w: string) => (span.kind === 'strong' ? `\x1b[1m${w}\x1b[0m` : w);
    for (const [k, w] of span.text.split(/(\s+)/).entries()) {
      if (k % 2 === 1) { words.push(' '); continue; }
      if (w === '') continue;
      // A word glued to the previous span (e.g. "`cpus`." or "**hypervisor**'s") stays glued.
      if (words.length > 0 && words[words.length - 1] !== ' ') words[words.length - 1] += styled(w);
      else words.push(styled(w));
    }
  }
  const lines: string[] = [];
  let line = first, visible = first.length, fresh = true;
  for (const word of words) {
    if (word === ' ') continue;
    const length = word.replace(/\x1b\[[0-9;]*m/g, '').length;
    if (!fresh && visible + 1 + length > width) {
      lines.push(line);
      line = rest; visible = rest.length; fresh = true;
    }
    line += (fresh ? '' : ' ') + word;
    visible += (fresh ? 0 : 1) + length;
    fresh = false;
  }
  lines.push(line);
  return lines;
}
