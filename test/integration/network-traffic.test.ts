// Real traffic through wharf's networks: the default bridge, published ports (127.0.0.1, the
// bridge's own address, hairpin from containers, TCP and UDP, -P), user networks with their
// DNS answers, isolation between networks and --internal, live connect/disconnect, the
// container:/none/host modes, a busy host port, and a kill -9 of wharfd with ports and
// addresses kept. Traffic goes only to loopback and to addresses of the daemon's own bridges
// and containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { busyboxTar, startDaemon, type TestDaemon } from './harness.js';
import { freePort, httpGet, eventually } from './net-helpers.js';

const TAG = randomBytes(3).toString('hex');
const n = (s: string) => `nt${TAG}-${s}`;

const WEB = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'];

describe('network traffic', { concurrency: false }, () => {
  let d: TestDaemon;
  const inspect = async (ref: string, format: string) => (await d.ok(['inspect', '-f', format, ref])).trim();

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('default bridge: address, gateway, /etc/hosts, container↔container and host→container', async () => {
    await d.ok(['run', '-d', '--name', n('web'), 'busybox', ...WEB]);
    const ip = await inspect(n('web'), '{{.NetworkSettings.IPAddress}}');
    const gw = await inspect(n('web'), '{{.NetworkSettings.Gateway}}');
    const prefix = await inspect(n('web'), '{{.NetworkSettings.IPPrefixLen}}');
    const subnet = JSON.parse(await d.ok(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'bridge']))[0];
    assert.equal(subnet.Gateway, gw);
    assert.equal(`${subnet.Subnet.split('/')[1]}`, prefix);
    const id = (await inspect(n('web'), '{{.Id}}')).slice(0, 12);
    const out = await d.ok(['exec', n('web'), 'sh', '-c', 'ip -o -4 addr show eth0 | awk \'{print $4}\'; ip route | head -1; tail -1 /etc/hosts']);
    assert.equal(out, `${ip}/${prefix}\ndefault via ${gw} dev eth0 \n${ip}\t${id}\n`);
    // --add-host: a name for an address, and `host-gateway` for the default bridge's gateway.
    const hosts = await d.ok(['run', '--rm', '--add-host', 'db:10.1.2.3', '--add-host', 'gw:host-gateway', 'busybox', 'sh', '-c', 'grep -E "db|gw" /etc/hosts']);
    assert.equal(hosts, `10.1.2.3\tdb\n${gw}\tgw\n`);
    assert.equal(await eventually(() => httpGet(ip, 80)), `hello from ${id}\n`);
    assert.equal(await d.ok(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${ip}/index.html`]), `hello from ${id}\n`);
    // The default bridge has no DNS server (as on Docker): the host's resolvers are used, and
    // nothing answers on the gateway. (Queried there only: traffic stays on the test's addresses.)
    const resolv = await d.ok(['run', '--rm', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.ok(!resolv.includes(gw), resolv);
    const byName = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', `timeout 3 nslookup ${n('web')} ${gw}; exit $?`]);
    assert.notEqual(byName.code, 0);
    assert.ok(!byName.stdout.includes(ip), byName.stdout);
    await d.ok(['rm', '-f', n('web')]);
  });

  test('published ports: 127.0.0.1, the bridge address, hairpin from containers, ps and port', async () => {
    const port = await freePort();
    await d.ok(['run', '-d', '--name', n('pub'), '-p', `${port}:80`, 'busybox', ...WEB]);
    const id = (await inspect(n('pub'), '{{.Id}}')).slice(0, 12);
    const gw = await inspect(n('pub'), '{{.NetworkSettings.Gateway}}');
    const want = `hello from ${id}\n`;
    assert.equal(await eventually(() => httpGet('127.0.0.1', port)), want);
    assert.equal(await httpGet(gw, port), want, 'on a host address (the bridge gateway)');
    assert.equal(await d.ok(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${gw}:${port}/index.html`]), want, 'from another container');
    assert.equal(await d.ok(['exec', n('pub'), 'wget', '-qO-', `http://${gw}:${port}/index.html`]), want, 'from the container itself (hairpin)');
    assert.equal(await d.ok(['port', n('pub')]), `80/tcp -> 0.0.0.0:${port}\n`);
    assert.equal(await d.ok(['ps', '--filter', `name=${n('pub')}`, '--format', '{{.Ports}}']), `0.0.0.0:${port}->80/tcp\n`);
    assert.deepEqual(JSON.parse(await inspect(n('pub'), '{{json .NetworkSettings.Ports}}')), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(port) }] });
    await d.ok(['rm', '-f', n('pub')]);
    await assert.rejects(httpGet('127.0.0.1', port), 'the rule went with the container');
  });

  test('published ports: 127.0.0.1-only binding, UDP, and -P with the image EXPOSE ports', async () => {
    const port = await freePort();
    await d.ok(['run', '-d', '--name', n('lo'), '-p', `127.0.0.1:${port}:80`, 'busybox', ...WEB]);
    const gw = await inspect(n('lo'), '{{.NetworkSettings.Gateway}}');
    assert.match(await eventually(() => httpGet('127.0.0.1', port)), /^hello from /);
    await assert.rejects(httpGet(gw, port), 'bound to 127.0.0.1 only');
    await d.ok(['rm', '-f', n('lo')]);

    // busybox has no UDP server: the host's node, reached through a read-only bind of /, runs
    // an echo server inside the container's network namespace.
    const udpPort = await freePort();
    const echo = "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('echo:'+m,r.port,r.address));s.bind(9999)";
    await d.ok(['run', '-d', '--name', n('udp'), '-p', `${udpPort}:9999/udp`, '-v', '/:/host:ro', 'busybox', 'chroot', '/host', process.execPath, '-e', echo]);
    const sock = dgram.createSocket('udp4');
    try {
      const reply = await eventually(() => new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no UDP answer')), 500);
        sock.once('message', (m) => { clearTimeout(timer); resolve(m.toString()); });
        sock.send('ping', udpPort, '127.0.0.1');
      }));
      assert.equal(reply, 'echo:ping');
    } finally {
      sock.close();
    }
    assert.equal(await d.ok(['port', n('udp')]), `9999/udp -> 0.0.0.0:${udpPort}\n`);
    await d.ok(['rm', '-f', n('udp')]);

    await d.ok(['import', '--change', 'EXPOSE 80', '--change', 'EXPOSE 81/udp', await busyboxTar(), `${n('exposed')}:1`]);
    await d.ok(['run', '-d', '--name', n('all'), '-P', `${n('exposed')}:1`, ...WEB]);
    const ports = JSON.parse(await inspect(n('all'), '{{json .NetworkSettings.Ports}}')) as Record<string, { HostIp: string; HostPort: string }[]>;
    assert.deepEqual(Object.keys(ports).sort(), ['80/tcp', '81/udp']);
    const hostPort = Number(ports['80/tcp'][0].HostPort);
    assert.ok(hostPort > 1024, `an ephemeral port: ${hostPort}`);
    assert.match(await eventually(() => httpGet('127.0.0.1', hostPort)), /^hello from /);
    await d.ok(['rm', '-f', n('all')]);
    await d.ok(['rmi', `${n('exposed')}:1`]);
  });

  test('a host port in use: Docker\'s error, the container not started, nothing left half-made', async () => {
    const holder = net.createServer().listen(0, '0.0.0.0');
    await new Promise((r) => holder.once('listening', r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const r = await d.docker(['run', '-d', '--name', n('busy'), '-p', `${port}:80`, 'busybox', ...WEB]);
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`driver failed programming external connectivity on endpoint ${n('busy')} \\([0-9a-f]{64}\\): Error starting userland proxy: listen tcp4 0\\.0\\.0\\.0:${port}: bind: address already in use`));
      assert.equal(await inspect(n('busy'), '{{.State.Status}}'), 'created');
      assert.equal(await inspect(n('busy'), '{{.NetworkSettings.IPAddress}}'), '');
      // Its address went back to the pool: the next container gets the first free one.
      const a = (await d.ok(['run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0 | awk \'{print $4}\''])).trim();
      const b = (await d.ok(['run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0 | awk \'{print $4}\''])).trim();
      assert.ok(a && b, 'containers still start on the bridge');
    } finally {
      holder.close();
      await d.docker(['rm', '-f', n('busy')]);
    }
    const taken = await freePort();
    await d.ok(['run', '-d', '--name', n('p1'), '-p', `${taken}:80`, 'busybox', 'sleep', '60']);
    const r = await d.docker(['run', '-d', '--name', n('p2'), '-p', `${taken}:80`, 'busybox', 'sleep', '60']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${taken} failed: port is already allocated`));
    // A host range takes its first free port.
    const r2 = await d.docker(['run', '-d', '--name', n('p3'), '-p', `${taken}-${taken + 2}:80`, 'busybox', 'sleep', '60']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(await d.ok(['port', n('p3'), '80']), `0.0.0.0:${taken + 1}\n`);
    await d.ok(['rm', '-f', n('p1'), n('p2'), n('p3')]);
  });

  test('user network: DNS answers for names, aliases (all addresses), short IDs; others are NXDOMAIN', async () => {
    await d.ok(['network', 'create', '--subnet', '10.231.7.0/24', n('net')]);
    try {
      await d.ok(['run', '-d', '--name', n('a'), '--network', n('net'), '--network-alias', 'svc', 'busybox', 'sleep', '60']);
      // The latest container resolves at once, even alone on its network.
      assert.equal(await d.ok(['exec', n('a'), 'sh', '-c', `nslookup ${n('a')} | grep -A1 '^Name' | tail -1`]), 'Address: 10.231.7.2\n');
      await d.ok(['run', '-d', '--name', n('b'), '--network', n('net'), '--network-alias', 'svc', '--ip', '10.231.7.50', 'busybox', 'sleep', '60']);
      const aIp = await inspect(n('a'), `{{(index .NetworkSettings.Networks "${n('net')}").IPAddress}}`);
      const aId = (await inspect(n('a'), '{{.Id}}')).slice(0, 12);
      assert.equal(aIp, '10.231.7.2');
      assert.equal(await inspect(n('b'), `{{(index .NetworkSettings.Networks "${n('net')}").IPAddress}}`), '10.231.7.50');
      assert.equal(await inspect(n('a'), `{{json (index .NetworkSettings.Networks "${n('net')}").DNSNames}}`), JSON.stringify([n('a'), 'svc', aId]));
      const script = [
        'cat /etc/resolv.conf',
        `nslookup ${n('a')} | grep -A1 '^Name' | tail -1`,
        `nslookup ${aId} | grep -A1 '^Name' | tail -1`,
        'nslookup svc | grep "^Address: " | sort',
      ].join('; ');
      const out = await d.ok(['run', '--rm', '--network', n('net'), 'busybox', 'sh', '-c', script]);
      assert.equal(out, [
        'nameserver 10.231.7.1',
        'options ndots:0',
        'Address: 10.231.7.2',
        'Address: 10.231.7.2',
        'Address: 10.231.7.2',
        'Address: 10.231.7.50',
        '',
      ].join('\n'));
      // --dns on a user network: the embedded server forwards that container's other names
      // there (a resolver this test runs on loopback), as Docker does.
      const fake = dgram.createSocket('udp4');
      fake.on('message', (msg, from) => {
        const q = dnsPacket.decode(msg);
        const answers = q.questions?.[0]?.type === 'A' ? [{ type: 'A' as const, name: q.questions[0].name, ttl: 5, data: '10.9.8.7' }] : [];
        fake.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers }), from.port, from.address);
      });
      await new Promise<void>((resolve) => fake.bind(53, '127.0.0.77', () => resolve()));
      try {
        const ext = await d.ok(['run', '--rm', '--network', n('net'), '--dns', '127.0.0.77', 'busybox', 'sh', '-c', `grep nameserver /etc/resolv.conf; nslookup ext-${TAG}.example | grep '^Address: '`]);
        assert.equal(ext, `nameserver 10.231.7.1\nAddress: 10.9.8.7\n`);
      } finally {
        fake.close();
      }
      // A stopped container's name no longer resolves; its address is free again.
      await d.ok(['stop', '-t', '0', n('b')]);
      const after = await d.ok(['run', '--rm', '--network', n('net'), 'busybox', 'sh', '-c', 'nslookup svc | grep "^Address: " | sort']);
      assert.equal(after, 'Address: 10.231.7.2\n');
    } finally {
      await d.docker(['rm', '-f', n('a'), n('b')]);
      await d.ok(['network', 'rm', n('net')]);
    }
  });

  test('isolation: different user networks cannot reach each other; --internal has no way out', async () => {
    await d.ok(['network', 'create', '--subnet', '10.231.8.0/24', n('n1')]);
    await d.ok(['network', 'create', '--subnet', '10.231.9.0/24', n('n2')]);
    await d.ok(['network', 'create', '--internal', '--subnet', '10.231.10.0/24', n('in')]);
    try {
      await d.ok(['run', '-d', '--name', n('w1'), '--network', n('n1'), 'busybox', ...WEB]);
      await d.ok(['run', '-d', '--name', n('w2'), '--network', n('n2'), 'busybox', ...WEB]);
      const ip1 = '10.231.8.2';
      const ip2 = '10.231.9.2';
      // busybox's wget crashes with -T, so `timeout` bounds it; the trailing `exit` keeps sh
      // from exec'ing it as PID 1, which would ignore timeout's signal.
      const get = (netName: string, ip: string) => d.docker(['run', '--rm', '--network', netName, 'busybox', 'sh', '-c', `timeout 3 wget -qO- http://${ip}/index.html; exit $?`]);
      assert.equal((await eventually(async () => { const r = await get(n('n1'), ip1); if (r.code) throw new Error(r.stderr); return r; })).code, 0, 'same network reaches it');
      assert.notEqual((await get(n('n1'), ip2)).code, 0, 'n1 → n2 blocked');
      assert.notEqual((await get(n('n2'), ip1)).code, 0, 'n2 → n1 blocked');
      // Internal: no default route; the host's address for the other network is unreachable.
      const routes = await d.ok(['run', '--rm', '--network', n('in'), 'busybox', 'ip', 'route']);
      assert.equal(routes, '10.231.10.0/24 dev eth0 scope link  src 10.231.10.2 \n');
      assert.notEqual((await get(n('in'), ip1)).code, 0, 'internal → other network blocked');
      // An internal network's DNS knows its own names and forwards nothing: others are NXDOMAIN.
      await d.ok(['run', '-d', '--name', n('i1'), '--network', n('in'), 'busybox', 'sleep', '60']);
      const i1 = await inspect(n('i1'), `{{(index .NetworkSettings.Networks "${n('in')}").IPAddress}}`);
      const dns = await d.ok(['run', '--rm', '--network', n('in'), 'busybox', 'sh', '-c',
        `nslookup ${n('i1')} | grep -A1 '^Name' | tail -1; nslookup nosuch-${TAG} 2>&1 | grep -q NXDOMAIN; echo nx=$?; nslookup nosuch-${TAG} >/dev/null 2>&1; echo rc=$?`]);
      assert.equal(dns, `Address: ${i1}\nnx=0\nrc=1\n`);
    } finally {
      await d.docker(['rm', '-f', n('w1'), n('w2'), n('i1')]);
      await d.ok(['network', 'rm', n('n1'), n('n2'), n('in')]);
    }
  });

  test('connect and disconnect a running container; container:, none and host modes', async () => {
    await d.ok(['network', 'create', '--subnet', '10.231.11.0/24', n('live')]);
    try {
      await d.ok(['run', '-d', '--name', n('c'), 'busybox', ...WEB]);
      await d.ok(['network', 'connect', '--alias', 'web2', n('live'), n('c')]);
      assert.equal(await d.ok(['exec', n('c'), 'sh', '-c', 'ip -o -4 addr show eth1 | awk \'{print $4}\'; ip route | grep -c default']), '10.231.11.2/24\n1\n');
      assert.match(await eventually(() => d.ok(['run', '--rm', '--network', n('live'), 'busybox', 'wget', '-qO-', 'http://web2/index.html'])), /^hello from /);
      const again = await d.docker(['network', 'connect', 'bridge', n('c')]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`endpoint with name ${n('c')} already exists in network bridge`));
      await d.ok(['network', 'disconnect', n('live'), n('c')]);
      assert.equal(await d.ok(['exec', n('c'), 'sh', '-c', 'ip -o link | grep -c eth1; true']), '0\n');
      assert.equal(await inspect(n('c'), '{{len .NetworkSettings.Networks}}'), '1');

      const ip = await inspect(n('c'), '{{.NetworkSettings.IPAddress}}');
      assert.equal(await d.ok(['run', '--rm', '--network', `container:${n('c')}`, 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0 | awk \'{print $4}\'; wget -qO- http://127.0.0.1/index.html']),
        `${ip}/${await inspect(n('c'), '{{.NetworkSettings.IPPrefixLen}}')}\nhello from ${(await inspect(n('c'), '{{.Id}}')).slice(0, 12)}\n`);
      assert.equal(await d.ok(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']), 'lo\n');
      const hostLinks = (await d.ok(['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net'])).split('\n');
      assert.ok(hostLinks.includes(d.bridge), `the host's links, ${d.bridge} among them`);
      const stopped = await d.docker(['run', '--rm', '--network', `container:${n('gone')}`, 'busybox', 'true']);
      assert.equal(stopped.code, 125);
    } finally {
      await d.docker(['rm', '-f', n('c')]);
      await d.ok(['network', 'rm', n('live')]);
    }
  });

  test('bad input: Docker\'s wording for overlapping, invalid and in-use cases', async () => {
    await d.ok(['network', 'create', '--subnet', '10.231.12.0/24', n('bad')]);
    await d.ok(['network', 'create', n('auto')]);
    try {
      const cases: [string[], RegExp][] = [
        [['network', 'create', '--subnet', '10.231.12.128/25', n('bad2')], /Pool overlaps with other one on this address space/],
        [['network', 'create', n('bad')], new RegExp(`network with name ${n('bad')} already exists`)],
        [['network', 'create', '--subnet', '10.231.300.0/24', n('bad3')], /invalid CIDR address: 10\.231\.300\.0\/24/],
        [['network', 'connect', `nosuch-${TAG}`, 'x'], new RegExp(`network nosuch-${TAG} not found`)],
        [['run', '--rm', '--network', n('bad'), '--ip', '10.9.9.9', 'busybox', 'true'], /Invalid address 10\.9\.9\.9: It does not belong to any of this network's subnets/],
        [['run', '--rm', '--ip', '172.17.0.9', 'busybox', 'true'], /user specified IP address is supported on user defined networks only/],
        [['run', '--rm', '--network', `nosuch-${TAG}`, 'busybox', 'true'], new RegExp(`network nosuch-${TAG} not found`)],
        [['run', '--rm', '--network', n('auto'), '--ip', '10.231.13.5', 'busybox', 'true'], /user specified IP address is supported only when connecting to networks with user configured subnets/],
      ];
      for (const [args, want] of cases) {
        const r = await d.docker(args);
        assert.notEqual(r.code, 0, args.join(' '));
        assert.match(r.stderr, want, args.join(' '));
      }
      await d.ok(['run', '-d', '--name', n('user'), '--network', n('bad'), 'busybox', 'sleep', '60']);
      const rm = await d.docker(['network', 'rm', n('bad')]);
      assert.equal(rm.code, 1);
      assert.match(rm.stderr, new RegExp(`error while removing network: network ${n('bad')} has active endpoints`));
    } finally {
      await d.docker(['rm', '-f', n('user')]);
      await d.ok(['network', 'rm', n('bad'), n('auto')]);
    }
  });

  test('kill -9 of wharfd: published ports keep answering, addresses are not handed out twice', async () => {
    const port = await freePort();
    await d.ok(['run', '-d', '--name', n('keep'), '-p', `${port}:80`, 'busybox', ...WEB]);
    const ip = await inspect(n('keep'), '{{.NetworkSettings.IPAddress}}');
    const want = await eventually(() => httpGet('127.0.0.1', port));
    await d.kill9();
    assert.equal(await httpGet('127.0.0.1', port), want, 'while wharfd is down');
    await d.restart();
    assert.equal(await httpGet('127.0.0.1', port), want, 'after the restart');
    const others = new Set<string>();
    for (let i = 0; i < 3; i++) {
      await d.ok(['run', '-d', '--name', n(`after${i}`), 'busybox', 'sleep', '60']);
      others.add(await inspect(n(`after${i}`), '{{.NetworkSettings.IPAddress}}'));
    }
    assert.ok(!others.has(ip), `${ip} is held by a running container: ${[...others]}`);
    assert.equal(others.size, 3);
    await d.ok(['rm', '-f', n('keep'), n('after0'), n('after1'), n('after2')]);
    await assert.rejects(httpGet('127.0.0.1', port));
  });
});
