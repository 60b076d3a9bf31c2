// Issue target: 50 containers on one user network, DNS lookup p99 ≤ 5 ms. Measures the
// embedded server alone (no wharfd): 50 records, a fake upstream on loopback, lookups by
// Node's c-ares resolver (what a client in a container does, minus the veth hop).
// Usage: npx tsc -p . && node out/bench/dns.js [LOOKUPS] [CONCURRENCY]   (bash bench/dns.sh)
import { Resolver } from 'node:dns/promises';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { DnsServer } from '../src/network/dns/index.js';

const LOOKUPS = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const ADDRESS = '127.0.53.1';

const upstream = createSocket('udp4');
upstream.on('message', (message, from) => {
  const query = dnsPacket.decode(message);
  upstream.send(dnsPacket.encode({
    type: 'response', id: query.id, questions: query.questions,
    answers: [{ type: 'A', class: 'IN', name: query.questions![0].name, ttl: 30, data: '203.0.113.7' }],
  }), from.port, from.address);
});
await new Promise<void>((resolve) => upstream.bind(0, '127.0.53.9', resolve));

const server = new DnsServer({ address: ADDRESS, port: 0, networkName: 'benchnet', upstreams: [{ address: '127.0.53.9', port: upstream.address().port }] });
await server.listen();
server.setRecords(Array.from({ length: 50 }, (_, i) => ({
  names: [`svc-${i}`, `alias-${i % 5}`, (0xa0b0c0d0e0 + i).toString(16)],
  ipv4: `10.89.0.${i + 2}`,
  ipv6: `fd00::${(i + 2).toString(16)}`,
})));

async function measure(label: string, lookup: (r: Resolver, i: number) => Promise<unknown>, concurrency: number): Promise<void> {
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`${ADDRESS}:${server.port}`]);
    while (next < LOOKUPS) {
      const i = next++;
      const start = process.hrtime.bigint();
      await lookup(resolver, i);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(3);
  console.log(`${label.padEnd(52)} n=${times.length}  p50 ${pct(50)} ms  p99 ${pct(99)} ms  max ${pct(100)} ms`);
}

try {
  for (const concurrency of [1, CONCURRENCY]) {
    const c = `c=${concurrency}`;
    await measure(`A svc-N (50 containers), ${c}`, (r, i) => r.resolve4(`svc-${i % 50}`), concurrency);
    await measure(`AAAA alias-N (10 addresses each), ${c}`, (r, i) => r.resolve6(`alias-${i % 5}`), concurrency);
    await measure(`PTR 10.89.0.N, ${c}`, (r, i) => r.reverse(`10.89.0.${(i % 50) + 2}`), concurrency);
    await measure(`forwarded to loopback upstream, ${c}`, (r, i) => r.resolve4(`host-${i}.example`), concurrency);
  }
} finally {
  await server.close();
  upstream.close();
}
