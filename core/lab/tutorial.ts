// A lab's tutorial text: the small markdown subset lab files use (paragraphs, numbered lists, indented
// command blocks, **bold**, *emphasis*, `code`), split into blocks. The app renders them as elements,
// the CLI as terminal text (both show each command block as something to type).

export type Block =
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


/** Inline markup as spans: plain text, **strong**, *emphasis* or `code`. */
export type Span = { kind: 'text' | 'strong' | 'em' | 'code'; text: string };

export function parseInline(text: string): Span[] {
  const out: Span[] = [];
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push({ kind: 'text', text: text.slice(last, match.index) });
    const token = match[0];
    out.push(token.startsWith('**') ? { kind: 'strong', text: token.slice(2, -2) }
      : token.startsWith('`') ? { kind: 'code', text: token.slice(1, -1) }
      : { kind: 'em', text: token.slice(1, -1) });
    last = match.index + token.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}
