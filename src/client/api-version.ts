// The API version this client speaks, in a module of its own so that commands needing only
// the constant (version) do not load the HTTP client at start-up.

/** The newest API version this client speaks; negotiation lowers it to the daemon's. */
export const CLIENT_API_VERSION = '1.45';

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number), pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
