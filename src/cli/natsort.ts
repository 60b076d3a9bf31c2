// fvbommel/sortorder.NaturalLess, which docker uses to order `network ls` rows and `port`
// lines: runs of digits compare as numbers (`net2` < `net10`), the rest byte by byte.

function isDigit(c: string | undefined): boolean { return c !== undefined && c >= '0' && c <= '9'; }

export function naturalLess(a: string, b: string): boolean {
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    const ca = a[i] as string, cb = b[j] as string;
    if (isDigit(ca) && isDigit(cb)) {
      // Skip leading zeros, then the longer run is the larger number; equal length compares as text.
      let za = i; while (a[za] === '0') za++;
      let zb = j; while (b[zb] === '0') zb++;
      let ea = za; while (isDigit(a[ea])) ea++;
      let eb = zb; while (isDigit(b[eb])) eb++;
      const na = a.slice(za, ea), nb = b.slice(zb, eb);
      if (na.length !== nb.length) return na.length < nb.length;
      if (na !== nb) return na < nb;
      // Same value: fewer leading zeros first.
      if (za - i !== zb - j) return za - i < zb - j;
      i = ea; j = eb;
      continue;
    }
    if (ca !== cb) return ca < cb;
    i++; j++;
  }
  return a.length - i < b.length - j;
}

export function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}
