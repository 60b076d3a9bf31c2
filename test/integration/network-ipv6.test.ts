// IPv6 on user-defined networks (`network create --ipv6`): dual-stack addresses and routes,
// container↔container and host→container over IPv6, AAAA answers from the embedded DNS,
// published ports on [::1] (userland relay) and on the bridge's v6 address (DNAT), --ip6,
// default ULA subnets, isolation over v6, and the host's other interfaces left as they were.
// Traffic goes only to loopback and to addresses of the test's own bridges and containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { run, startDaemon, type TestDaemon } from './harness.js';
import { freePort, httpGet, eventually } from './net-helpers.js';

const TAG = randomBytes(3).toString('hex');
const n = (s: string) => `v6${TAG}-${s}`;
/** A ULA /64 of the test's own: fdXX:XXXX:XXXX:1::/64 (random Global ID, RFC 4193). */
const G = randomBytes(5).toString('hex');
const PREFIX = `fd${G.slice(0, 2)}:${G.slice(2, 6)}:${G.slice(6, 10)}:1`.replace(/:0+(?=[0-9a-f])/g, ':');
const SUBNET6 = `${PREFIX}::/64`;

/**
 * Every IPv6 sysctl of the host's interfaces that are neither bridges nor veths (those are
 * wharf's, or other tests'), and of `all` and `default`: wharf must change none of them.
 */
async function hostIPv6Sysctls(): Promise<Record<string, string>> {
  const links = JSON.parse((await run('ip', ['-j', '-d', 'link', 'show'])).stdout) as { ifname: string; linkinfo?: { info_kind?: string } }[];
  const names = links.filter((l) => !['bridge', 'veth'].includes(l.linkinfo?.info_kind ?? '')).map((l) => l.ifname);
  const out: Record<string, string> = {};
  for (const ifname of [...names, 'all', 'default']) {
    const dir = `/proc/sys/net/ipv6/conf/${ifname}`;
    for (const knob of await fs.readdir(dir).catch(() => [] as string[])) {
      out[`${ifname}.${knob}`] = await fs.readFile(`${dir}/${knob}`, 'utf8').catch((e: NodeJS.ErrnoException) => `<${e.code}>`);
    }
  }
  return out;
}

const WEB = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'];

describe('network ipv6', { concurrency: false }, () => {
  let d: TestDaemon;
  let sysctlsBefore: Record<string, string>;
  const inspect = async (ref: string, format: string) => (await d.ok(['inspect', '-f', format, ref])).trim();

  before(async () => {
    sysctlsBefore = await hostIPv6Sysctls();
    d = await startDaemon();
    await d.ok(['network', 'create', '--ipv6', '--subnet', SUBNET6, n('net')]);
  });
  after(async () => {
    await d.close();
  });

  test('dual-stack container: addresses, routes, inspect of container and network', async () => {
    await d.ok(['run', '-d', '--name', n('a'), '--network', n('net'), 'busybox', ...WEB]);
    const id = await inspect(n('a'), '{{.Id}}');
    const ep = JSON.parse(await inspect(n('a'), `{{json (index .NetworkSettings.Networks "${n('net')}")}}`));
    assert.equal(ep.GlobalIPv6Address, `${PREFIX}::2`);
    assert.equal(ep.GlobalIPv6PrefixLen, 64);
    assert.equal(ep.IPv6Gateway, `${PREFIX}::1`);
    assert.match(ep.IPAddress, /^\d+\.\d+\.\d+\.2$/);
    const out = await d.ok(['exec', n('a'), 'sh', '-c', "ip -o -6 addr show dev eth0 scope global | awk '{print $4}'; ip -6 route show default"]);
    assert.equal(out, `${PREFIX}::2/64\ndefault via ${PREFIX}::1 dev eth0  metric 1024 \n`);
    // /etc/hosts names the container by both addresses, as Docker writes it.
    assert.equal(await d.ok(['exec', n('a'), 'sh', '-c', 'tail -2 /etc/hosts']), `${ep.IPAddress}\t${id.slice(0, 12)}\n${PREFIX}::2\t${id.slice(0, 12)}\n`);
    const netInfo = JSON.parse(await d.ok(['network', 'inspect', n('net')]))[0];
    assert.equal(netInfo.EnableIPv6, true);
    assert.equal(netInfo.IPAM.Config.length, 2);
    assert.deepEqual(netInfo.IPAM.Config[1], { Subnet: SUBNET6, Gateway: `${PREFIX}::1` });
    assert.equal(netInfo.Containers[id].IPv6Address, `${PREFIX}::2/64`);
    // The bridge carries the v6 gateway, usable at once (nodad: never tentative).
    const br = (await run('ip', ['-j', '-6', 'addr', 'show', 'scope', 'global'])).stdout;
    const bridge = (JSON.parse(br) as { ifname: string; addr_info: { local: string; prefixlen: number; tentative?: boolean }[] }[])
      .find((l) => l.addr_info.some((a) => a.local === `${PREFIX}::1`));
    assert.ok(bridge, 'a bridge has the gateway');
    assert.deepEqual(bridge.addr_info.filter((a) => a.local === `${PREFIX}::1`).map((a) => [a.prefixlen, !!a.tentative]), [[64, false]]);
  });

  test('container↔container and host→container over IPv6', async () => {
    const id = (await inspect(n('a'), '{{.Id}}')).slice(0, 12);
    assert.equal(await eventually(() => httpGet(`${PREFIX}::2`, 80)), `hello from ${id}\n`);
    assert.equal(await d.ok(['run', '--rm', '--network', n('net'), 'busybox', 'wget', '-qO-', `http://[${PREFIX}::2]/index.html`]), `hello from ${id}\n`);
    assert.equal(await d.ok(['run', '--rm', '--network', n('net'), 'busybox', 'wget', '-qO-', `http://${n('a')}/index.html`]), `hello from ${id}\n`);
  });

  test('embedded DNS: AAAA and A answers, on the v4 and the v6 gateway', async () => {
    const v4 = await inspect(n('a'), `{{(index .NetworkSettings.Networks "${n('net')}").IPAddress}}`);
    const gw4 = await inspect(n('a'), `{{(index .NetworkSettings.Networks "${n('net')}").Gateway}}`);
    for (const server of [gw4, `[${PREFIX}::1]`]) {
      const r = new Resolver({ timeout: 2000, tries: 1 });
      r.setServers([server]);
      assert.deepEqual(await r.resolve6(n('a')), [`${PREFIX}::2`], `AAAA from ${server}`);
      assert.deepEqual(await r.resolve4(n('a')), [v4], `A from ${server}`);
      assert.deepEqual(await r.reverse(`${PREFIX}::2`), [`${n('a')}.${n('net')}`], `PTR from ${server}`);
    }
    const out = await d.ok(['run', '--rm', '--network', n('net'), 'busybox', 'nslookup', '-type=AAAA', n('a')]);
    assert.match(out, new RegExp(`Address: ${PREFIX}::2\\n`));
  });

  test('published ports: [::1] and the v6 gateway, beside 127.0.0.1; inspect and port show both families', async () => {
    const port = await freePort();
    await d.ok(['run', '-d', '--name', n('pub'), '--network', n('net'), '-p', `${port}:80`, 'busybox', ...WEB]);
    const want = `hello from ${(await inspect(n('pub'), '{{.Id}}')).slice(0, 12)}\n`;
    assert.equal(await eventually(() => httpGet('::1', port)), want, '[::1] (userland relay)');
    assert.equal(await httpGet('127.0.0.1', port), want, '127.0.0.1 (DNAT)');
    assert.equal(await httpGet(`${PREFIX}::1`, port), want, 'the bridge v6 address (DNAT)');
    assert.equal(await d.ok(['run', '--rm', '--network', n('net'), 'busybox', 'wget', '-qO-', `http://[${PREFIX}::1]:${port}/index.html`]), want, 'from another container');
    assert.deepEqual(JSON.parse(await inspect(n('pub'), '{{json .NetworkSettings.Ports}}')), {
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(port) }, { HostIp: '::', HostPort: String(port) }],
    });
    assert.equal(await d.ok(['port', n('pub')]), `80/tcp -> 0.0.0.0:${port}\n80/tcp -> [::]:${port}\n`);
    await d.ok(['rm', '-f', n('pub')]);
    await assert.rejects(httpGet('::1', port), 'the relay went with the container');

    const lo = await freePort('::1');
    await d.ok(['run', '-d', '--name', n('lo6'), '--network', n('net'), '-p', `[::1]:${lo}:80`, 'busybox', ...WEB]);
    assert.match(await eventually(() => httpGet('::1', lo)), /^hello from /);
    await assert.rejects(httpGet('127.0.0.1', lo), 'bound to ::1 only');
    assert.deepEqual(JSON.parse(await inspect(n('lo6'), '{{json .NetworkSettings.Ports}}')), { '80/tcp': [{ HostIp: '::1', HostPort: String(lo) }] });
    await d.ok(['rm', '-f', n('lo6')]);

    const v4only = await d.docker(['run', '-d', '--name', n('v4only'), '-p', `[::1]:${lo}:80`, 'busybox', ...WEB]);
    assert.notEqual(v4only.code, 0);
    assert.match(v4only.stderr, /cannot publish on IPv6 address ::1: the container's network has no IPv6/);
    await d.ok(['rm', '-f', n('v4only')]);
  });

  test('--ip6 on run and on connect; a default ULA /64 when no v6 subnet is given', async () => {
    await d.ok(['run', '-d', '--name', n('fixed'), '--network', n('net'), '--ip6', `${PREFIX}::99`, 'busybox', 'sleep', '60']);
    assert.equal(await inspect(n('fixed'), `{{(index .NetworkSettings.Networks "${n('net')}").GlobalIPv6Address}}`), `${PREFIX}::99`);
    const taken = await d.docker(['run', '--rm', '--network', n('net'), '--ip6', `${PREFIX}::99`, 'busybox', 'true']);
    assert.match(taken.stderr, /Address already in use/);
    const outside = await d.docker(['run', '--rm', '--network', n('net'), '--ip6', 'fd00:dead::5', 'busybox', 'true']);
    assert.match(outside.stderr, /Invalid address fd00:dead::5: It does not belong to any of this network's subnets/);

    await d.ok(['network', 'create', '--ipv6', n('auto')]);
    await d.ok(['network', 'create', '--ipv6', n('auto2')]);
    const s1 = JSON.parse(await d.ok(['network', 'inspect', '-f', '{{json .IPAM.Config}}', n('auto')]))[1];
    const s2 = JSON.parse(await d.ok(['network', 'inspect', '-f', '{{json .IPAM.Config}}', n('auto2')]))[1];
    const m1 = /^(fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4})::\/64$/.exec(s1.Subnet);
    assert.ok(m1, s1.Subnet);
    assert.deepEqual(s1, { Subnet: `${m1[1]}::/64`, Gateway: `${m1[1]}::1` });
    assert.deepEqual(s2, { Subnet: `${m1[1]}:1::/64`, Gateway: `${m1[1]}:1::1` }, 'the next /64 of the same /48');
    const noIp6 = await d.docker(['network', 'connect', '--ip6', `${m1[1]}::7`, n('auto'), n('fixed')]);
    assert.match(noIp6.stderr, /user specified IP address is supported only when connecting to networks with user configured subnets/);
    await d.ok(['network', 'connect', n('auto'), n('fixed')]);
    assert.equal(await inspect(n('fixed'), `{{(index .NetworkSettings.Networks "${n('auto')}").GlobalIPv6Address}}`), `${m1[1]}::2`);
    const routes = await d.ok(['exec', n('fixed'), 'sh', '-c', "ip -o -6 addr show dev eth1 scope global | awk '{print $4}'"]);
    assert.equal(routes, `${m1[1]}::2/64\n`);
    await d.ok(['rm', '-f', n('fixed')]);
    await d.ok(['network', 'rm', n('auto2')]);
  });

  test('isolation over IPv6: a container on another network cannot reach the first one', async () => {
    // `timeout` bounds busybox's wget; the trailing `exit` keeps sh from exec'ing it as PID 1.
    const get = (netName: string) => d.docker(['run', '--rm', '--network', netName, 'busybox', 'sh', '-c', `timeout 3 wget -qO- http://[${PREFIX}::2]/index.html; exit $?`]);
    assert.match((await get(n('net'))).stdout, /^hello from /, 'reachable from its own network');
    const out = await get(n('auto'));
    assert.notEqual(out.code, 0);
    assert.equal(out.stdout, '');
    // --internal: a v6 address but no v6 default route, and no way to the other network.
    await d.ok(['network', 'create', '--ipv6', '--internal', n('int')]);
    const routes = await d.ok(['run', '--rm', '--network', n('int'), 'busybox', 'sh', '-c', "ip -o -6 addr show dev eth0 scope global | wc -l; ip -6 route show default | wc -l"]);
    assert.equal(routes.replace(/ +/g, ''), '1\n0\n');
    const fromInternal = await get(n('int'));
    assert.notEqual(fromInternal.code, 0);
    await d.ok(['network', 'rm', n('int')]);
  });

  test('kill -9 of wharfd: the bridge keeps its v6 gateway, [::1] answers again, v6 addresses are not handed out twice', async () => {
    const port = await freePort();
    await d.ok(['run', '-d', '--name', n('keep'), '--network', n('net'), '-p', `${port}:80`, 'busybox', ...WEB]);
    const ip6 = await inspect(n('keep'), `{{(index .NetworkSettings.Networks "${n('net')}").GlobalIPv6Address}}`);
    const want = `hello from ${(await inspect(n('keep'), '{{.Id}}')).slice(0, 12)}\n`;
    assert.equal(await eventually(() => httpGet('::1', port)), want);
    await d.kill9();
    assert.equal(await httpGet(`${PREFIX}::1`, port), want, 'DNAT rules outlive wharfd');
    await d.restart();
    assert.equal(await eventually(() => httpGet('::1', port)), want, 'the loopback relay is back');
    await d.ok(['run', '-d', '--name', n('next'), '--network', n('net'), 'busybox', 'sleep', '60']);
    assert.notEqual(await inspect(n('next'), `{{(index .NetworkSettings.Networks "${n('net')}").GlobalIPv6Address}}`), ip6);
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`[${PREFIX}::1]`]);
    assert.deepEqual(await r.resolve6(n('keep')), [ip6], 'DNS on the v6 gateway after the restart');
    await d.ok(['rm', '-f', n('keep'), n('next')]);
  });

  test('cleanup: networks removed, bridges gone, the host\'s other interfaces untouched', async () => {
    await d.ok(['rm', '-f', n('a')]);
    await d.ok(['network', 'rm', n('net'), n('auto')]);
    const addrs = (await run('ip', ['-6', 'addr', 'show'])).stdout;
    assert.ok(!addrs.includes(`${PREFIX}::1`), 'the gateway went with the bridge');
    assert.deepEqual(await hostIPv6Sysctls(), sysctlsBefore);
  });
});
