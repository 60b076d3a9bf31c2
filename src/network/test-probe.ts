// For tests only: a tiny TCP/UDP echo server and client run inside a netns with
// `ip netns exec … node`, answering with the peer address it saw (to check NAT).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export function testName(kind: string): string {
  return `wharft${kind}${randomBytes(3).toString('hex')}`;
}

const SERVER = `
const [proto, port] = process.argv.slice(1);
if (proto === 'tcp') {
  require('net').createServer((s) => { s.end('hello from ' + s.remoteAddress + '\\n'); })
    .listen(Number(port), '0.0.0.0', () => console.log('ready'));
} else {
  const u = require('dgram').createSocket('udp4');
  u.on('message', (m, r) => u.send('hello from ' + r.address + '\\n', r.port, r.address));
  u.bind(Number(port), '0.0.0.0', () => console.log('ready'));
}`;

const CLIENT = `
const [proto, host, port] = process.argv.slice(1);
const done = (t) => { process.stdout.write(t); process.exit(0); };
setTimeout(() => done('timeout\\n'), 1500);
if (proto === 'tcp') {
  const s = require('net').connect(Number(port), host);
  let b = ''; s.on('data', (d) => b += d); s.on('end', () => done(b)); s.on('error', (e) => done('error ' + e.code + '\\n'));
} else {
  const u = require('dgram').createSocket('udp4');
  u.on('message', (m) => done(m.toString()));
  u.send('hi', Number(port), host);
}`;

export interface Probe {
  stop(): Promise<void>;
}

export async function startServer(netns: string, proto: 'tcp' | 'udp', port: number): Promise<Probe> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', SERVER, proto, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')])) as [Buffer];
  if (!String(line).includes('ready')) throw new Error(`probe server in ${netns} did not start`);
  return { stop: () => kill(child) };
}

/** What the server answered ("hello from <addr>"), or "timeout" / "error ECONNREFUSED". */
export async function request(opts: { netns?: string; proto: 'tcp' | 'udp'; host: string; port: number }): Promise<string> {
  const cmd = [process.execPath, '-e', CLIENT, opts.proto, opts.host, String(opts.port)];
  const argv = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...cmd] : cmd;
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await once(child, 'exit');
  return out.trim();
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
