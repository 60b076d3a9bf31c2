// docker's CLI and wharf's CLI, same arguments, same daemon: stdout, stderr and exit code
// must match after normalising IDs, times and the program name. One command per test, so
// a failure points at one command (nerdctl's habit). The daemon is a test wharfd (or, with
// WHARF_TEST_TARGET=docker, a Docker Engine), so this checks the CLI, not the engine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startDaemon, type RunResult, type TestDaemon } from '../integration/harness.js';

const PFX = `wharfcmp${randomBytes(3).toString('hex')}`;

/** What may differ between the two runs: IDs, clocks, our name, and run-specific names. */
export function normalise(s: string): string {
  return s
    .replace(/\b[0-9a-f]{64}\b/g, '<ID64>')
    .replace(/\b[0-9a-f]{12}\b/g, '<ID12>')
    .replace(/(Less than a second|1 second|\d+ seconds|About a minute|\d+ minutes|About an hour|\d+ hours) ago/g, '<AGO>')
    .replace(/Up (Less than a second|1 second|\d+ seconds|About a minute|\d+ minutes)/g, 'Up <DUR>')
    .replace(/\d{4}-\d{2}-\d{2}[ T][\d:.]+( \+0000 UTC|Z)?/g, '<TIME>')
    .replace(/\bwharf\b/g, 'docker')
    .replace(new RegExp(`${PFX}-[a-z0-9]+`, 'g'), '<NAME>')
    // Column widths follow the cell lengths, which normalising changed.
    .replace(/ {2,}/g, '  ');
}

const shown = (r: RunResult): string => normalise(`rc=${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`);

interface Case {
  name: string;
  args: string[];
  /** Fed to stdin of each CLI. */
  input?: string;
  /** Runs (with docker) before each of the two, for commands with side effects. */
  pre?: string[];
}

const cases: Case[] = [
  { name: 'ps', args: ['ps', '--filter', `label=${PFX}`] },
  { name: 'ps -a', args: ['ps', '-a', '--filter', `label=${PFX}`] },
  { name: 'ps -a -s', args: ['ps', '-a', '-s', '--filter', `label=${PFX}`] },
  { name: 'ps -a --no-trunc', args: ['ps', '-a', '--no-trunc', '--filter', `label=${PFX}`] },
  { name: 'ps -q', args: ['ps', '-aq', '--filter', `label=${PFX}`] },
  { name: 'ps table Label', args: ['ps', '--filter', `label=${PFX}`, '--format', 'table {{.ID}}\t{{.Names}}\t{{.Label "a"}}'] },
  { name: 'ps json', args: ['ps', '--filter', `label=${PFX}`, '--format', '{{json .}}'] },
  { name: 'ps status filter', args: ['ps', '-a', '--filter', `label=${PFX}`, '--filter', 'status=exited', '--format', '{{.Names}} {{.State}}'] },
  { name: 'images', args: ['images', 'busybox'] },
  { name: 'images --digests', args: ['images', '--digests', 'busybox'] },
  { name: 'images -q', args: ['images', '-q', 'busybox'] },
  { name: 'images json', args: ['images', '--format', '{{json .}}', 'busybox'] },
  { name: 'images reference filter', args: ['images', '--filter', 'reference=busybox'] },
  { name: 'history', args: ['history', 'busybox'] },
  { name: 'inspect format', args: ['inspect', '--format', '{{.State.Running}} {{json .Config.Labels}} {{index .Config.Labels "a"}} {{.Name}} {{len .Config.Cmd}}', `${PFX}-web`] },
  { name: 'inspect image type', args: ['inspect', '--type', 'image', '--format', '{{.Os}} {{.Architecture}}', 'busybox'] },
  { name: 'inspect missing', args: ['inspect', `${PFX}nosuch`] },
  { name: 'image inspect missing', args: ['image', 'inspect', `${PFX}nosuch`] },
  { name: 'container inspect json', args: ['container', 'inspect', '--format', '{{json .Config.Cmd}}', `${PFX}-ex`] },
  // Not the default `-ef`: its C column (recent CPU %) may change between the two calls.
  { name: 'top', args: ['top', `${PFX}-web`, '-o', 'pid,ppid,user,args'] },
  { name: 'logs', args: ['logs', `${PFX}-ex`] },
  { name: 'logs --tail', args: ['logs', '--tail', '1', `${PFX}-ex`] },
  { name: 'run exit code + streams', args: ['run', '--rm', 'busybox', 'sh', '-c', 'echo o; echo e >&2; exit 5'] },
  { name: 'run env/workdir/user/hostname', args: ['run', '--rm', '-e', 'A=1', '-w', '/tmp', '-u', '1:2', '-h', 'hh', 'busybox', 'sh', '-c', 'echo $A $(pwd) $(id -u):$(id -g) $(hostname)'] },
  { name: 'run --entrypoint', args: ['run', '--rm', '--entrypoint', 'echo', 'busybox', 'hi', 'there'] },
  { name: 'run flags after image belong to the command', args: ['run', '--rm', 'busybox', 'echo', '-n', '--rm'] },
  { name: 'run stdin', args: ['run', '--rm', '-i', 'busybox', 'cat'], input: 'line 1\nline 2\n' },
  { name: 'run -d prints the ID', args: ['run', '-d', '-l', `${PFX}=1`, '--network', 'none', 'busybox', 'true'] },
  { name: 'run unknown flag', args: ['run', '--foo', 'busybox'] },
  { name: 'run missing arg', args: ['run', '-e'] },
  { name: 'run 127', args: ['run', '--rm', 'busybox', 'nosuchcmd'] },
  { name: 'run 126', args: ['run', '--rm', 'busybox', '/etc'] },
  { name: 'run missing image', args: ['run', `${PFX}nosuchimage`] },
  { name: 'create missing image', args: ['create', `${PFX}nosuchimage`] },
  { name: 'exec', args: ['exec', `${PFX}-web`, 'sh', '-c', 'echo hi; exit 4'] },
  { name: 'exec -i', args: ['exec', '-i', `${PFX}-web`, 'cat'], input: 'from stdin\n' },
  { name: 'exec -e -w', args: ['exec', '-e', 'X=y', '-w', '/tmp', `${PFX}-web`, 'sh', '-c', 'echo $X $(pwd)'] },
  { name: 'stop missing', args: ['stop', `${PFX}nosuch`] },
  { name: 'rm running', args: ['rm', `${PFX}-web`] },
  { name: 'kill bad signal', args: ['kill', '-s', 'FOO', `${PFX}-web`] },
  { name: 'stop arity', args: ['stop'] },
  { name: 'rename arity', args: ['rename', 'a'] },
  { name: 'start -a', args: ['start', '-a', `${PFX}-cr`] },
  { name: 'wait', args: ['wait', `${PFX}-ex`] },
  { name: 'unknown command', args: ['nosuchcommand'] },
  { name: 'unknown global flag', args: ['--nosuchflag', 'ps'] },
  { name: 'tag', args: ['tag', 'busybox', `${PFX}/tagged:v1`], pre: ['rmi', `${PFX}/tagged:v1`] },
  { name: 'images after tag', args: ['images', `${PFX}/tagged`] },
  { name: 'rmi', args: ['rmi', `${PFX}/tagged:v1`], pre: ['tag', 'busybox', `${PFX}/tagged:v1`] },
  { name: 'rmi missing', args: ['rmi', `${PFX}/nosuch`] },
  // Networks (issue 5): the setup's `${PFX}-net` (labelled) holds `${PFX}-pub`.
  { name: 'network ls filter', args: ['network', 'ls', '--filter', `label=${PFX}`] },
  { name: 'network ls -q', args: ['network', 'ls', '-q', '--filter', `label=${PFX}`] },
  { name: 'network ls --no-trunc', args: ['network', 'ls', '--no-trunc', '--filter', `label=${PFX}`] },
  { name: 'network ls json', args: ['network', 'ls', '--format', '{{json .}}', '--filter', `label=${PFX}`] },
  { name: 'network ls table', args: ['network', 'ls', '--format', `table {{.Name}}\t{{.Driver}}\t{{.Internal}}\t{{.IPv6}}\t{{.Labels}}\t{{.Label "${PFX}"}}`, '--filter', `label=${PFX}`] },
  { name: 'network ls builtin', args: ['network', 'ls', '--filter', 'type=builtin', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'] },
  { name: 'network ls bad filter', args: ['network', 'ls', '--filter', 'nosuch=1'] },
  { name: 'network inspect format', args: ['network', 'inspect', '-f', `{{.Name}} {{.Driver}} {{len .Containers}} {{.Internal}} {{index .Labels "${PFX}"}}`, `${PFX}-net`, 'bridge'] },
  { name: 'network inspect missing', args: ['network', 'inspect', `${PFX}nosuch`] },
  { name: 'network create duplicate', args: ['network', 'create', `${PFX}-net`] },
  { name: 'network create', args: ['network', 'create', '--label', `${PFX}=1`, `${PFX}-tmp`], pre: ['network', 'rm', '-f', `${PFX}-tmp`] },
  { name: 'network rm', args: ['network', 'rm', `${PFX}-tmp`], pre: ['network', 'create', `${PFX}-tmp`] },
  { name: 'network rm missing', args: ['network', 'rm', `${PFX}nosuch`] },
  { name: 'network rm -f missing', args: ['network', 'rm', '-f', `${PFX}nosuch`] },
  { name: 'network rm in use', args: ['network', 'rm', `${PFX}-net`] },
  { name: 'network create bad gateway', args: ['network', 'create', '--subnet', '10.99.0.0/16', '--gateway', '10.98.0.1', `${PFX}-x`] },
  { name: 'network create arity', args: ['network', 'create'] },
  { name: 'network connect arity', args: ['network', 'connect', `${PFX}-net`] },
  { name: 'network connect missing network', args: ['network', 'connect', `${PFX}nosuch`, `${PFX}-pub`] },
  { name: 'network disconnect missing container', args: ['network', 'disconnect', `${PFX}-net`, `${PFX}nosuch`] },
  { name: 'network prune declined', args: ['network', 'prune'], input: 'n\n' },
  { name: 'network prune -f', args: ['network', 'prune', '-f'], pre: ['network', 'create', `${PFX}-unused`] },
  { name: 'port', args: ['port', `${PFX}-pub`] },
  { name: 'port one', args: ['port', `${PFX}-pub`, '80'] },
  { name: 'port udp', args: ['port', `${PFX}-pub`, '81/udp'] },
  { name: 'port unpublished', args: ['port', `${PFX}-pub`, '99'] },
  { name: 'port bad', args: ['port', `${PFX}-pub`, 'x'] },
  { name: 'port missing container', args: ['port', `${PFX}nosuch`] },
  { name: 'ps ports', args: ['ps', '--filter', `label=${PFX}`, '--format', '{{.Names}} {{.Ports}}'] },
  { name: 'run bad -p proto', args: ['run', '--rm', '-p', '80/xyz', 'busybox'] },
  { name: 'run bad -p ranges', args: ['run', '--rm', '-p', '8080-8081:80-82', 'busybox'] },
  { name: 'run bad -p ip', args: ['run', '--rm', '-p', '1.2.3:80:80', 'busybox'] },
  { name: 'run bad --expose', args: ['run', '--rm', '--expose', 'x', 'busybox'] },
  { name: 'run bad --dns', args: ['run', '--rm', '--dns', '1.2.3', 'busybox'] },
  { name: 'run bad --add-host', args: ['run', '--rm', '--add-host', 'foo', 'busybox'] },
  { name: 'run alias on default network', args: ['run', '--rm', '--network-alias', 'x', 'busybox'] },
  { name: 'run bad --mac-address', args: ['create', '--mac-address', 'zz', 'busybox'] },
  { name: 'run mixed network modes', args: ['create', '--network', 'host', '--network', `${PFX}-net`, 'busybox'] },
];

describe('docker and wharf CLIs print the same', { concurrency: false }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    const setup: [string[], number][] = [
      [['run', '-d', '--name', `${PFX}-web`, '-l', `${PFX}=1`, '-l', 'a=b', 'busybox', 'sleep', '1000'], 0],
      [['run', '--name', `${PFX}-ex`, '-l', `${PFX}=1`, 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3'], 3],
      [['create', '--name', `${PFX}-cr`, '-l', `${PFX}=1`, 'busybox', 'true'], 0],
      // One label only: the docker CLI joins labels in Go's random map order.
      [['network', 'create', '--label', `${PFX}=front`, `${PFX}-net`], 0],
      [['run', '-d', '--name', `${PFX}-pub`, '-l', `${PFX}=1`, '--network', `${PFX}-net`, '-p', '127.0.0.1::80', '-p', '127.0.0.1::81/udp', 'busybox', 'sleep', '1000'], 0],
    ];
    for (const [args, code] of setup) {
      const r = await d.docker(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    }
  });
  after(async () => {
    await d.docker(['rmi', '-f', `${PFX}/tagged:v1`]);
    await d.docker(['rm', '-f', `${PFX}-pub`]);
    await d.docker(['network', 'rm', '-f', `${PFX}-net`, `${PFX}-tmp`, `${PFX}-unused`]);
    await d.close();
  });

  for (const c of cases) {
    test(c.name, async () => {
      if (c.pre) await d.docker(c.pre);
      const docker = await d.docker(c.args, { input: c.input ?? '' });
      if (c.pre) await d.docker(c.pre);
      const wharf = await d.wharf(c.args, { input: c.input ?? '' });
      assert.equal(shown(wharf), shown(docker));
    });
  }
});
