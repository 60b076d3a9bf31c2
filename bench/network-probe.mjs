// Clients for bench/network.sh, one mode per figure. Plain JavaScript (no tsc step), run by
// the host's node, or inside a container's network namespace with
// `nsenter --net=/proc/<pid>/ns/net node bench/network-probe.mjs …`.
//
//   send HOST PORT MIB          TCP: writes MIB MiB of zeros, half-closes, waits for the peer
//                               (a sink that closes once it has read everything); prints MB/s
//   sink PORT                   TCP: one connection, reads to EOF, closes, exits
//   http COUNT URL…             COUNT sequential GETs per URL, a new connection each, the
//                               URLs interleaved; latency stats per URL
//   dns SERVER COUNT CONC NAME… A lookups of the NAMEs (round robin) at SERVER:53, CONC at a
//                               time; latency stats, and fails on any wrong or missing answer
//
// Stats lines are `p50 … p90 … p99 … mean … ms (n=…)`, for bench/network.sh to quote.
import http from 'node:http';
import net from 'node:net';
import { Resolver } from 'node:dns/promises';

const [mode, ...args] = process.argv.slice(2);

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `p50 ${at(0.5).toFixed(3)} p90 ${at(0.9).toFixed(3)} p99 ${at(0.99).toFixed(3)} mean ${mean.toFixed(3)} ms (n=${s.length})`;
}

const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function send(host, port, mib) {
  const chunk = Buffer.alloc(1 << 20);
  const t0 = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    const sock = net.connect({ host, port: Number(port) });
    let sent = false;
    sock.on('error', reject);
    // A sink that closes before our FIN has not read everything: no figure from that.
    sock.on('end', () => { if (!sent) reject(new Error(`${host}:${port} closed before all ${mib} MiB were sent`)); });
    sock.on('close', () => (sent ? resolve() : reject(new Error(`${host}:${port} closed early`))));
    // The peer sends nothing; read anyway so 'close' follows its FIN.
    sock.resume();
    sock.on('connect', async () => {
      for (let i = 0; i < Number(mib) && !sock.destroyed; i++) {
        if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
      }
      sent = true;
      sock.end();
    });
  });
  const seconds = since(t0) / 1000;
  const bytes = Number(mib) * chunk.length;
  console.log(`${(bytes / seconds / 1e6).toFixed(0)} MB/s (${bytes} bytes in ${seconds.toFixed(3)} s)`);
}

function sink(port) {
  const server = net.createServer((sock) => {
    sock.resume();
    sock.on('end', () => { sock.end(); server.close(); });
  });
  server.listen(Number(port), () => console.log('listening'));
}

async function httpGets(count, urls) {
  const get = (url) => new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode}`));
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  for (const url of urls) for (let i = 0; i < 5; i++) await get(url); // warm-up: ARP, conntrack
  // Interleaved, one request per URL in turn: the machine's noise falls on every path alike.
  const ms = urls.map(() => []);
  for (let i = 0; i < Number(count); i++) {
    for (const [j, url] of urls.entries()) {
      const t0 = process.hrtime.bigint();
      await get(url);
      ms[j].push(since(t0));
    }
  }
  for (const [j, url] of urls.entries()) console.log(`${url} ${stats(ms[j])}`);
}

async function dns(server, count, conc, names) {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  // Every name must answer with one address before timing starts, so a broken server
  // cannot pass as a fast one.
  for (const name of names) {
    const a = await resolver.resolve4(name);
    if (a.length !== 1) throw new Error(`${name}: ${a.length} addresses`);
  }
  const ms = [];
  let next = 0;
  const worker = async () => {
    while (next < Number(count)) {
      const name = names[next++ % names.length];
      const t0 = process.hrtime.bigint();
      const a = await resolver.resolve4(name);
      ms.push(since(t0));
      if (a.length !== 1) throw new Error(`${name}: ${a.length} addresses`);
    }
  };
  await Promise.all(Array.from({ length: Number(conc) }, worker));
  console.log(stats(ms));
}

switch (mode) {
  case 'send': await send(...args); break;
  case 'sink': sink(...args); break;
  case 'http': await httpGets(args[0], args.slice(1)); break;
  case 'dns': await dns(args[0], args[1], args[2], args.slice(3)); break;
  default: console.error('usage: network-probe.mjs send|sink|http|dns …'); process.exit(2);
}
