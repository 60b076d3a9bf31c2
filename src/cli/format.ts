// Output of list commands: docker's formatter.Context behaviour. `table …` formats go
// through the tabwriter with a header row; other formats print one execution per item.
import { Template } from './template.js';
import { tabulate } from './tabwriter.js';

export interface FormatSpec {
  /** User's --format, or the command's default `table …`. */
  format: string;
  /** Header for each field name (`ID` → `CONTAINER ID`). */
  headers: Record<string, string>;
}

/** Turns `\t`/`\n` typed literally (inside single quotes) into the characters, as docker does. */
function unescape(s: string): string {
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

export function isTable(format: string): boolean { return format.startsWith('table'); }

/** The header context: every field answers its header; methods (`.Label "k"`) answer their argument. */
function headerContext(headers: Record<string, string>): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...headers };
  ctx.Label = (k: unknown) => String(k);
  return ctx;
}

export function render<T>(spec: FormatSpec, items: T[]): string {
  if (isTable(spec.format)) {
    const body = unescape(spec.format.slice('table'.length).trim());
    const t = new Template(body);
    const rows = [t.execute(headerContext(spec.headers)), ...items.map((i) => t.execute(i))];
    return `${tabulate(rows.join('\n'))}\n`;
  }
  const t = new Template(unescape(spec.format));
  return items.map((i) => `${t.execute(i)}\n`).join('');
}
