// Docker's query-string conventions: booleans are "1"/"true"/"True"; `filters` is JSON,
// either {"key":["v1","v2"]} or the legacy {"key":{"v1":true}} form.
import { InvalidArgument } from '../errdefs/index.js';

export type Filters = Record<string, string[]>;

export class Query {
  constructor(private readonly params: URLSearchParams) {}

  string(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  all(name: string): string[] {
    return this.params.getAll(name);
  }

  bool(name: string, fallback = false): boolean {
    const v = this.params.get(name);
    if (v === null || v === '') return fallback;
    return !['0', 'false', 'False', 'FALSE', 'no'].includes(v);
  }

  int(name: string, fallback?: number): number | undefined {
    const v = this.params.get(name);
    if (v === null || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgument(`invalid value for ${name}: ${JSON.stringify(v)}`);
    return Math.trunc(n);
  }

  filters(): Filters {
    const raw = this.params.get('filters');
    if (!raw) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidArgument(`invalid filter: ${raw}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgument(`invalid filter: ${raw}`);
    const out: Filters = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (Array.isArray(value)) out[key] = value.map(String);
      else if (typeof value === 'object' && value !== null) out[key] = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k]);
      else throw new InvalidArgument(`invalid filter: ${raw}`);
    }
    return out;
  }
}

/** Rejects filter keys a list endpoint does not know, with Docker's wording. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  }
}
