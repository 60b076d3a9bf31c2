// IPv4 addresses and prefixes as numbers, so pool and lease arithmetic is exact and cheap.
// IPv6 is not handled yet (issue 5 asks for it later, for `--ipv6` networks).

import { InvalidArgument } from '../errdefs/index.js';

export interface Cidr {
  /** Network address (host bits zero), as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
}

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Go's net.ParseCIDR wording, which Docker passes through. Host bits are cleared, as Docker does. */
export function parseCidr(text: string): Cidr {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const addr = m ? parseIPv4(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (addr === undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new InvalidArgument(`invalid CIDR address: ${text}`);
  }
  return { base: (addr & mask(prefix)) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function contains(c: Cidr, addr: number): boolean {
  return ((addr & mask(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}
