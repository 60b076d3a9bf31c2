import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import { DnsServer, type DnsServerOptions } from './index.js';

const ADDRESS = '127.0.53.1';

/** A fake host resolver: answers `outside.example` with 203.0.113.7, NXDOMAIN for anything else. */
async function fakeUpstream(): Promise<{ port: number; queries: string[]; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, from) => {
    const query = dnsPacket.decode(message);
    const question = query.questions![0];
    queries.push(question.name);
    const known = question.name === 'outside.example' && question.type === 'A';
    const answer = dnsPacket.encode({
      type: 'response', id: query.id, flags: known ? 0 : 3, questions: query.questions,
      answers: known ? [{ type: 'A', class: 'IN', name: question.name, ttl: 30, data: '203.0.113.7' }] : [],
    });
    socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.53.9', resolve));
  return { port: socket.address().port, queries, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

async function withServer(options: Partial<DnsServerOptions>, body: (resolver: Resolver, server: DnsServer) => Promise<void>): Promise<void> {
  const server = new DnsServer({ address: ADDRESS, port: 0, networkName: 'mynet', upstreamTimeoutMs: 300, ...options });
  await server.listen();
  try {
    server.setRecords([
      { names: ['web', 'Alias', 'a1b2c3d4e5f6'], ipv4: '10.89.0.2', ipv6: 'fd00::2' },
      { names: ['db', 'alias'], ipv4: '10.89.0.3' },
      { names: ['cache'], ipv4: '10.89.0.4' },
    ]);
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`${ADDRESS}:${server.port}`]);
    await body(resolver, server);
  } finally {
    await server.close();
  }
}

test('A and AAAA for a container name, case-insensitive, bare and FQDN, with TTL 600', () =>
  withServer({}, async (resolver) => {
    assert.deepEqual(await resolver.resolve4('web', { ttl: true }), [{ address: '10.89.0.2', ttl: 600 }]);
    assert.deepEqual(await resolver.resolve4('WEB.'), ['10.89.0.2']);
    assert.deepEqual(await resolver.resolve4('web.mynet'), ['10.89.0.2']);
    assert.deepEqual(await resolver.resolve4('a1b2c3d4e5f6'), ['10.89.0.2']);
    assert.deepEqual(await resolver.resolve6('web'), ['fd00::2']);
  }));

test('an alias shared by two containers answers with both addresses', () =>
  withServer({}, async (resolver) => {
    assert.deepEqual((await resolver.resolve4('alias')).sort(), ['10.89.0.2', '10.89.0.3']);
    assert.deepEqual(await resolver.resolve6('alias'), ['fd00::2']);
  }));

test('a known name without IPv6 is NODATA, not NXDOMAIN', () =>
  withServer({}, async (resolver) => {
    await assert.rejects(resolver.resolve6('db'), { code: 'ENODATA' });
  }));

test('unknown names go to the upstream; its NXDOMAIN comes back as NXDOMAIN', async () => {
  const upstream = await fakeUpstream();
  try {
    await withServer({ upstreams: [{ address: '127.0.53.9', port: upstream.port }] }, async (resolver) => {
      assert.deepEqual(await resolver.resolve4('outside.example'), ['203.0.113.7']);
      await assert.rejects(resolver.resolve4('nothing.example'), { code: 'ENOTFOUND' });
      assert.deepEqual(upstream.queries, ['outside.example', 'nothing.example']);
    });
  } finally {
    await upstream.close();
  }
});

test('no upstreams (internal network): unknown names are NXDOMAIN', () =>
  withServer({ upstreams: [] }, async (resolver) => {
    await assert.rejects(resolver.resolve4('outside.example'), { code: 'ENOTFOUND' });
  }));

test('all upstreams silent: SERVFAIL after the timeout', () =>
  withServer({ upstreams: [{ address: '127.0.53.10', port: 9 }] }, async (resolver) => {
    await assert.rejects(resolver.resolve4('outside.example'), { code: 'ESERVFAIL' });
  }));

test('PTR for the network addresses gives name.network', () =>
  withServer({}, async (resolver) => {
    assert.deepEqual(await resolver.reverse('10.89.0.3'), ['db.mynet']);
    assert.deepEqual(await resolver.reverse('fd00::2'), ['web.mynet']);
  }));

test('setRecords replaces the table', () =>
  withServer({}, async (resolver, server) => {
    server.setRecords([{ names: ['web'], ipv4: '10.89.0.9' }]);
    assert.deepEqual(await resolver.resolve4('web'), ['10.89.0.9']);
    await assert.rejects(resolver.resolve4('db'), { code: 'ENOTFOUND' });
  }));

test('garbage datagrams get FORMERR or nothing, and the server keeps answering', () =>
  withServer({}, async (resolver, server) => {
    const socket = createSocket('udp4');
    try {
      const replies: Buffer[] = [];
      socket.on('message', (m) => replies.push(m));
      const garbage = [Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.from('0123456789abcdefghijkl'), Buffer.alloc(512, 0xff)];
      garbage.push(Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1])); // pointer loop
      for (const g of garbage) socket.send(g, server.port, ADDRESS);
      assert.deepEqual(await resolver.resolve4('web'), ['10.89.0.2']);
      for (const r of replies) assert.ok(r.length === 12 && (r[3] & 0x0f) !== 0, 'only error headers come back');
    } finally {
      socket.close();
    }
  }));

test('TCP query, and a UDP answer too large for a datagram is truncated then retried over TCP', () =>
  withServer({}, async (resolver, server) => {
    const many = Array.from({ length: 300 }, (_, i) => ({ names: ['crowd'], ipv4: `10.89.${1 + Math.floor(i / 200)}.${(i % 200) + 1}` }));
    server.setRecords(many);
    assert.equal((await resolver.resolve4('crowd')).length, 300);
    const answer = await tcpQuery(server.port, 'crowd');
    assert.equal(answer.answers?.length, 300);
    assert.equal(answer.id, 4242);
  }));

async function tcpQuery(port: number, name: string): Promise<dnsPacket.DecodedPacket> {
  const socket = connect({ host: ADDRESS, port });
  try {
    socket.write(dnsPacket.streamEncode({ type: 'query', id: 4242, questions: [{ type: 'A', name }] }));
    let data = Buffer.alloc(0);
    for await (const chunk of socket) {
      data = Buffer.concat([data, chunk as Buffer]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) break;
    }
    return dnsPacket.streamDecode(data) as dnsPacket.DecodedPacket;
  } finally {
    socket.destroy();
  }
}

test('close releases the port', async () => {
  const server = new DnsServer({ address: ADDRESS, port: 0 });
  await server.listen();
  const port = server.port;
  await server.close();
  const again = new DnsServer({ address: ADDRESS, port });
  await again.listen();
  await again.close();
});
