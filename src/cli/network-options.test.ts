import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFlags, createOptionsFrom, toCreateBody } from './container-options.js';
import { ExitError } from './context.js';
import { FlagError, parseArgs, type CommandSpec } from './flags.js';
import { addExposed, endpointsFrom, isMacAddress, parsePublish, UsageFailure, validateDns, validateDnsSearch, validateExtraHost } from './network-options.js';

const createSpec: CommandSpec = { name: 'create', usage: 'create', description: '', flags: createFlags, interspersed: false };
const bodyOf = (...argv: string[]) => toCreateBody(createOptionsFrom(parseArgs(createSpec, [...argv, 'busybox']), { detach: false }));

test('-p: the forms docker accepts, as the docker CLI sends them', () => {
  const { exposed, bindings } = parsePublish(['8080:80', '127.0.0.1:9000-9001:90-91/udp', '[::1]:53:53', ':81', '127.0.0.1::82', '83', '8000-8010:84', 'published=8443,target=443', '::1:85:85', '86/SCTP']);
  assert.deepEqual(Object.keys(exposed).sort(), ['443/tcp', '53/tcp', '80/tcp', '81/tcp', '82/tcp', '83/tcp', '84/tcp', '85/tcp', '86/sctp', '90/udp', '91/udp']);
  assert.deepEqual(bindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8080' }],
    '90/udp': [{ HostIp: '127.0.0.1', HostPort: '9000' }],
    '91/udp': [{ HostIp: '127.0.0.1', HostPort: '9001' }],
    '53/tcp': [{ HostIp: '::1', HostPort: '53' }],
    '81/tcp': [{ HostIp: '', HostPort: '' }],
    '82/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    '83/tcp': [{ HostIp: '', HostPort: '' }],
    '84/tcp': [{ HostIp: '', HostPort: '8000-8010' }],
    '443/tcp': [{ HostIp: '', HostPort: '8443' }],
    '85/tcp': [{ HostIp: '::1', HostPort: '85' }],
    '86/sctp': [{ HostIp: '', HostPort: '' }],
  });
  // The same port twice: two bindings, one exposed port.
  assert.deepEqual(parsePublish(['80:80', '[::]:80:80']).bindings, { '80/tcp': [{ HostIp: '', HostPort: '80' }, { HostIp: '::', HostPort: '80' }] });
});

test('-p: bad specs fail with the docker CLI messages', () => {
  const cases: [string, string][] = [
    ['8080-8081:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8080-8081'],
    ['8080:80-81', 'invalid ranges specified for container and host Ports: 80-81 and 8080'],
    ['abc', 'invalid containerPort: abc'],
    ['70000', 'invalid containerPort: 70000'],
    ['90-80', 'invalid containerPort: 90-80'],
    ['x:80', 'invalid hostPort: x'],
    ['80/xyz', 'invalid proto: xyz'],
    ['1.2.3:80:80', 'invalid IP address: 1.2.3'],
    ['[::1:80:80', "invalid IP address [::1: address [::1:: missing ']' in address"],
    ['80:', 'no port specified: 80:<empty>'],
    ['/udp', 'no port specified: /udp<empty>'],
    ['published=1,bad', "invalid publish opts format (should be name=value but got 'bad')"],
  ];
  for (const [spec, message] of cases) assert.throws(() => parsePublish([spec]), (e: unknown) => e instanceof UsageFailure && e.message === message, spec);
});

test('--expose: single ports and ranges; docker leaves the proto unchecked', () => {
  const exposed = {};
  addExposed(exposed, ['7000-7002', '53/udp']);
  assert.deepEqual(Object.keys(exposed), ['7000/tcp', '7001/tcp', '7002/tcp', '53/udp']);
  assert.throws(() => addExposed({}, ['80:80']), /^UsageFailure: invalid port format for --expose: 80:80$/);
  assert.throws(() => addExposed({}, ['x']), { message: 'invalid range format for --expose: x, error: strconv.ParseUint: parsing "x": invalid syntax' });
  assert.throws(() => addExposed({}, ['9-1']), { message: 'invalid range format for --expose: 9-1, error: invalid range specified for port: 9-1' });
});

test('--dns, --dns-search, --add-host: docker validators and their values', () => {
  assert.equal(validateDns(' 1.1.1.1 '), '1.1.1.1');
  assert.equal(validateDns('0:0::1'), '::1');
  assert.throws(() => validateDns('1.2.3'), (e: unknown) => e instanceof FlagError && e.message === 'invalid argument "1.2.3" for "--dns" flag: IP address is not correctly formatted: 1.2.3');
  assert.equal(validateDnsSearch('example.com.'), 'example.com');
  assert.equal(validateDnsSearch('.'), '.');
  assert.throws(() => validateDnsSearch('-bad'), { message: 'invalid argument "-bad" for "--dns-search" flag: -bad is not a valid domain' });
  assert.throws(() => validateDnsSearch('123'), /123 is not a valid domain/);
  assert.equal(validateExtraHost('a:1.2.3.4'), 'a:1.2.3.4');
  assert.equal(validateExtraHost('b=::1'), 'b:::1');
  assert.equal(validateExtraHost('c:[fd00::1]'), 'c:fd00::1');
  assert.equal(validateExtraHost('d:host-gateway'), 'd:host-gateway');
  assert.throws(() => validateExtraHost('foo'), { message: 'invalid argument "foo" for "--add-host" flag: bad format for add-host: "foo"' });
  assert.throws(() => validateExtraHost('a:b:c'), { message: 'invalid argument "a:b:c" for "--add-host" flag: invalid IP address in add-host: "b:c"' });
});

test('--mac-address: Go net.ParseMAC forms', () => {
  for (const ok of ['02:42:ac:11:00:02', '02-42-AC-11-00-02', '0242.ac11.0002', '00:00:00:00:fe:80:00:00']) assert.ok(isMacAddress(ok), ok);
  for (const bad of ['zz', '02:42:ac:11:00', '0242ac110002', '']) assert.ok(!isMacAddress(bad), bad);
});

test('--network: endpoint settings as the docker CLI v28 builds them', () => {
  const none = { aliases: [] as string[], ipv4: '', ipv6: '', mac: '' };
  assert.deepEqual(endpointsFrom([], none), { default: {} });
  assert.deepEqual(endpointsFrom(['mynet'], none), {});
  assert.deepEqual(endpointsFrom(['none'], none), {});
  assert.deepEqual(endpointsFrom(['mynet'], { aliases: ['x', 'y'], ipv4: '10.0.0.5', ipv6: 'fd00::5', mac: '02:42:ac:11:00:02' }), {
    mynet: { Aliases: ['x', 'y'], IPAMConfig: { IPv4Address: '10.0.0.5', IPv6Address: 'fd00::5' }, MacAddress: '02:42:ac:11:00:02' },
  });
  assert.deepEqual(endpointsFrom(['name=N1,alias=A,ip=10.1.0.9', 'n2'], none), { n1: { Aliases: ['a'], IPAMConfig: { IPv4Address: '10.1.0.9', IPv6Address: '' } }, n2: {} });
  assert.deepEqual(endpointsFrom([], { ...none, mac: '02:42:ac:11:00:02' }), { default: { MacAddress: '02:42:ac:11:00:02' } });
  const usage = (argv: string[], flat: typeof none, message: string) =>
    assert.throws(() => endpointsFrom(argv, flat), (e: unknown) => e instanceof UsageFailure && e.message === message, message);
  usage([], { ...none, aliases: ['x'] }, 'network-scoped aliases are only supported for user-defined networks');
  usage(['none'], { ...none, aliases: ['x'] }, 'network-scoped aliases are only supported for user-defined networks');
  usage(['name=n1,alias=a'], { ...none, aliases: ['b'] }, 'conflicting options: cannot specify both --network-alias and per-network alias');
  usage(['host', 'n1'], none, 'conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  usage(['n1', 'n1'], none, 'network "n1" is specified multiple times');
  assert.throws(() => endpointsFrom(['a=b'], none), { message: 'invalid argument "a=b" for "--network" flag: invalid field key a' });
});

test('run/create body: network fields where the docker CLI puts them', () => {
  const b = bodyOf('-p', '8080:80', '-P', '--expose', '7000', '--dns', '1.1.1.1', '--dns-search', 'example.com', '--dns-option', 'ndots:2',
    '--add-host', 'a:1.2.3.4', '--ip', '10.0.0.5', '--network-alias', 'x', '--net-alias', 'y', '--network', 'mynet');
  assert.deepEqual(b.ExposedPorts, { '80/tcp': {}, '7000/tcp': {} });
  const hc = b.HostConfig as Record<string, unknown>;
  assert.equal(hc.NetworkMode, 'mynet');
  assert.deepEqual(hc.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.equal(hc.PublishAllPorts, true);
  assert.deepEqual([hc.Dns, hc.DnsSearch, hc.DnsOptions, hc.ExtraHosts], [['1.1.1.1'], ['example.com'], ['ndots:2'], ['a:1.2.3.4']]);
  assert.deepEqual(b.NetworkingConfig, { EndpointsConfig: { mynet: { Aliases: ['x', 'y'], IPAMConfig: { IPv4Address: '10.0.0.5', IPv6Address: '' } } } });

  const plain = bodyOf();
  assert.equal(plain.ExposedPorts, undefined);
  assert.deepEqual([(plain.HostConfig as Record<string, unknown>).NetworkMode, (plain.HostConfig as Record<string, unknown>).ExtraHosts], ['default', null]);
  assert.deepEqual(plain.NetworkingConfig, { EndpointsConfig: { default: {} } });
  assert.equal((bodyOf('--net', 'container:web').HostConfig as Record<string, unknown>).NetworkMode, 'container:web');
});

test('run/create: a bad -p is docker\'s "docker: …" usage failure, exit 125', () => {
  assert.throws(() => bodyOf('-p', '80/xyz'), (e: unknown) => e instanceof ExitError && e.code === 125
    && e.message === "wharf: invalid proto: xyz\n\nRun 'wharf create --help' for more information");
  assert.throws(() => bodyOf('--dns', 'nope'), FlagError);
});
