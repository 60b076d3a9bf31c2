// IPv6 addresses and prefixes as BigInts (128 bits do not fit a JS number), for `--ipv6`
// networks. Formatting follows RFC 5952 (what Go's net.IP.String and Docker print: lower
// case, the longest run of zero groups as `::`, a lone zero group written out).

import { InvalidArgument } from '../errdefs/index.js';

export interface Cidr6 {
  /** Network address (host bits zero). */
  readonly base: bigint;
  readonly prefix: number;
}

const ALL = (1n << 128n) - 1n;

export function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length < 2) return undefined;
  let groups: string[];
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  const left = split(halves[0]);
  const right = halves.length === 2 ? split(halves[1]) : [];
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const expandTail = (list: string[]): string[] | undefined => {
    const last = list[list.length - 1];
    if (!last?.includes('.')) return list;
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(last);
    if (!m || m.slice(1).some((b) => Number(b) > 255)) return undefined;
    const [a, b, c, d] = m.slice(1).map(Number);
    return [...list.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  const l = halves.length === 2 ? left : expandTail(left);
  const r = halves.length === 2 ? expandTail(right) : [];
  if (!l || !r) return undefined;
  if (halves.length === 2) {
    const fill = 8 - l.length - r.length;
    if (fill < 1) return undefined;
    groups = [...l, ...new Array<string>(fill).fill('0'), ...r];
  } else {
    groups = l;
  }
  if (groups.length !== 8) return undefined;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function formatIPv6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // The longest run of two or more zero groups (the first one on a tie) becomes `::`.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.len).join(':')}`;
}

/** Go's net.ParseCIDR wording, which Docker passes through. Host bits are cleared, as Docker does. */
export function parseCidr6(text: string): Cidr6 {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const addr = m ? parseIPv6(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (addr === undefined || !(prefix >= 0 && prefix <= 128)) throw new InvalidArgument(`invalid CIDR address: ${text}`);
  return { base: addr & mask6(prefix), prefix };
}

export function formatCidr6(c: Cidr6): string {
  return `${formatIPv6(c.base)}/${c.prefix}`;
}

export function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
}

export function size6(c: Cidr6): bigint {
  return 1n << BigInt(128 - c.prefix);
}

export function contains6(c: Cidr6, addr: bigint): boolean {
  return (addr & mask6(c.prefix)) === c.base;
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  const m = mask6(Math.min(a.prefix, b.prefix));
  return (a.base & m) === (b.base & m);
}

export function isIPv6Text(text: string): boolean {
  return text.includes(':');
}
