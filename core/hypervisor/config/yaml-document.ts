import { visit, type Document, type LineCounter, type ToJSOptions } from 'yaml';

/** A problem in a YAML text with its 1-based position. */
export interface YamlTextIssue {
  message: string;
  line: number;
  column: number;
}

/**
 * The plain value of a parsed YAML document, or the reasons it has none, each with line and column.
 * The YAML library's syntax errors are the caller's (doc.errors); this covers what it would otherwise
 * throw while converting: an alias to an anchor that does not exist (or comes later), an alias inside
 * its own anchor's value (a cyclic value no config or lab can mean), and documents
 * that exceed the alias budget (a "billion laughs" text).
 */
export function yamlValue(doc: Document.Parsed, lines: LineCounter, options: ToJSOptions = {}): { value: unknown } | { issues: YamlTextIssue[] } {
  const at = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  const issues: YamlTextIssue[] = [];
  let firstAlias: number | undefined;
  visit(doc, {
    Alias(_key, node, path) {
      firstAlias ??= node.range?.[0];
      const target = node.resolve(doc);
      if (target === undefined) {
        issues.push({ message: `alias *${node.source} refers to no anchor &${node.source} before it`, ...at(node.range?.[0]) });
      } else if (path.includes(target)) {
        issues.push({ message: `alias *${node.source} is inside the value of its own anchor (a cycle)`, ...at(node.range?.[0]) });
      }
    },
  });
  if (issues.length > 0) return { issues };
  try {
    return { value: doc.toJS({ maxAliasCount: 1000, ...options }) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { issues: [{ message: `cannot resolve the document's aliases: ${why}`, ...at(firstAlias) }] };
  }
}

