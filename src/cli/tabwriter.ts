// Go's text/tabwriter as docker configures it (minwidth 10, tabwidth 1, padding 3, pad
// with spaces): tab-terminated cells are columns; a line's last, unterminated cell is
// written as is. Widths count code points, as Go counts runes.

export interface TabOptions { minWidth: number; padding: number }
export const DOCKER_TABS: TabOptions = { minWidth: 10, padding: 3 };

const width = (s: string): number => [...s].length;

export function tabulate(text: string, o: TabOptions = DOCKER_TABS): string {
  const lines = text.split('\n');
  const rows = lines.map((l) => l.split('\t'));
  const out: string[] = [];
  // Column blocks, as Go forms them: consecutive lines that have a terminated cell in column c.
  const widths: number[][] = rows.map((r) => new Array<number>(Math.max(r.length - 1, 0)).fill(0));
  const fill = (start: number, end: number, col: number): void => {
    let i = start;
    while (i < end) {
      if ((rows[i] as string[]).length - 1 <= col) { i++; continue; }
      let j = i; let w = o.minWidth;
      while (j < end && (rows[j] as string[]).length - 1 > col) { w = Math.max(w, width((rows[j] as string[])[col] as string) + o.padding); j++; }
      for (let k = i; k < j; k++) (widths[k] as number[])[col] = w;
      fill(i, j, col + 1);
      i = j;
    }
  };
  fill(0, rows.length, 0);
  rows.forEach((r, i) => {
    let s = '';
    r.forEach((cell, c) => { s += c < r.length - 1 ? cell + ' '.repeat((widths[i] as number[])[c] as number - width(cell)) : cell; });
    out.push(s);
  });
  return out.join('\n');
}
