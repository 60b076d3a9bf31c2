// The names one network's DNS server answers for itself, built from the engine's
// endpoint list and replaced whole: a lookup sees either the old table or the new one.
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgument } from '../../errdefs/index.js';

/** One endpoint on the network, as the engine describes it. */
export interface DnsRecord {
  /** Container name, network aliases, short ID: all answer with this endpoint's addresses. */
  names: string[];
  ipv4?: string;
  ipv6?: string;
}

export interface NameAddresses {
  ipv4: string[];
  ipv6: string[];
}

export interface RecordTableOptions {
  /** The network's name: `name.<domain>` resolves too and is what PTR answers give, as Docker does. */
  domain?: string;
}

/** DNS names are case-insensitive; the wire form here has no trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export class RecordTable {
  private readonly byName = new Map<string, NameAddresses>();
  private readonly byReverse = new Map<string, string[]>();

  constructor(records: readonly DnsRecord[], options: RecordTableOptions = {}) {
    const domain = options.domain ? normalizeName(options.domain) : undefined;
    for (const record of records) {
      checkRecord(record);
      const names = record.names.map(normalizeName).filter((n) => n !== '');
      const all = domain ? [...names, ...names.map((n) => `${n}.${domain}`)] : names;
      for (const name of new Set(all)) {
        const entry = this.byName.get(name) ?? { ipv4: [], ipv6: [] };
        if (record.ipv4 && !entry.ipv4.includes(record.ipv4)) entry.ipv4.push(record.ipv4);
        if (record.ipv6 && !entry.ipv6.includes(record.ipv6)) entry.ipv6.push(record.ipv6);
        this.byName.set(name, entry);
      }
      if (names.length === 0) continue;
      // The first name is the container's own name: the one a reverse lookup should give.
      const ptrName = domain ? `${names[0]}.${domain}` : names[0];
      for (const ip of [record.ipv4, record.ipv6]) {
        if (!ip) continue;
        const key = reverseName(ip);
        const list = this.byReverse.get(key) ?? [];
        if (!list.includes(ptrName)) list.push(ptrName);
        this.byReverse.set(key, list);
      }
    }
  }

  /** Addresses for a name, or undefined when the network does not know the name at all. */
  lookup(name: string): NameAddresses | undefined {
    return this.byName.get(normalizeName(name));
  }

  /** Names for an `in-addr.arpa` / `ip6.arpa` name, or undefined when no endpoint has that address. */
  reverse(name: string): string[] | undefined {
    return this.byReverse.get(normalizeName(name));
  }
}

function checkRecord(record: DnsRecord): void {
  if (!Array.isArray(record.names)) throw new InvalidArgument('dns record: names must be a list');
  if (record.ipv4 !== undefined && !isIPv4(record.ipv4)) throw new InvalidArgument(`dns record: invalid IPv4 address ${record.ipv4}`);
  if (record.ipv6 !== undefined && !isIPv6(record.ipv6)) throw new InvalidArgument(`dns record: invalid IPv6 address ${record.ipv6}`);
}

/** `10.0.0.2` → `2.0.0.10.in-addr.arpa`; IPv6 → nibbles under `ip6.arpa`. */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  return `${expandIPv6(ip).split('').reverse().join('.')}.ip6.arpa`;
}

/** The 32 hex digits of an IPv6 address (an embedded dotted IPv4 tail is allowed). */
function expandIPv6(ip: string): string {
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => g.padStart(4, '0')).join('');
}
