// The classic builder, case by case, against what Docker 20.10's (DOCKER_BUILDKIT=0, the
// docker CLI v28) printed and made for the same Dockerfiles: RUN's BuildKit-only flags,
// directory and glob COPY semantics with --chown, ARG/ENV substitution and the history
// line of a RUN that sees build args (proxies too), CMD/ENTRYPOINT combinations, ONBUILD,
// SHELL, HEALTHCHECK and the image config, context from stdin. Where wharf differs on
// purpose (no container for a metadata-only step, so no "Running in" lines for it;
// heredocs, --chmod, --checksum and <Dockerfile>.dockerignore, which need BuildKit in
// Docker) docs/architecture.md says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorLine, withoutIds, writeContext } from './build-helpers.js';
import { startDaemon, type TestDaemon } from './harness.js';

describe('build: classic builder parity', () => {
  let d: TestDaemon;
  let scratch: string;

  const context = (name: string, files: Record<string, string>) => writeContext(scratch, name, files);
  const build = (args: string[], input?: string | Buffer) => d.docker(['build', ...args], { timeoutMs: 120_000, ...(input !== undefined ? { input } : {}) });
  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const BUILDKIT = 'option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled';

  before(async () => {
    process.env.DOCKER_BUILDKIT = '0';
    d = await startDaemon();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-build-classic-'));
  });
  after(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
    await d.close();
  });

  test('RUN flags need BuildKit: the step fails naming the first flag', async () => {
    for (const [flag, line] of [['mount', 'RUN --mount=type=cache,target=/c true'], ['network', 'RUN --network=none true'], ['security', 'RUN --security=insecure true']]) {
      const dir = await context(`runflag-${flag}`, { Dockerfile: `FROM busybox\n${line}\n` });
      const r = await build([dir]);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(withoutIds(r.stdout), `Step 1/2 : FROM busybox\n ---> <id>\nStep 2/2 : ${line}\n`);
      assert.equal(errorLine(r.stderr), `the --${flag} ${BUILDKIT}`);
    }
    assert.equal(await ok(['ps', '-aq']), '');
  });

  test('COPY of directories, trailing slashes, globs and --chown: names, modes and owners', async () => {
    const dir = await context('cpdir', {
      'src/f1': '1\n',
      'src/sub/f2': '2\n',
      'g1.txt': '3\n',
      'g2.txt': '4\n',
      Dockerfile: [
        'FROM busybox',
        'COPY src /a',
        'COPY src /b/',
        'COPY src/ /c',
        'COPY g*.txt /d/',
        'COPY --chown=5:6 src /e',
        'COPY src/f1 /f',
        'RUN find /a /b /c /d /e /f | sort | xargs stat -c "%n %a %u:%g"',
        '',
      ].join('\n'),
    });
    const r = await build(['--no-cache', dir]);
    assert.equal(r.code, 0, r.stderr);
    const stat = r.stdout.split('\n').filter((l) => /^\/[a-f][ /]/.test(l));
    assert.deepEqual(stat, [
      '/a 755 0:0', '/a/f1 644 0:0', '/a/sub 755 0:0', '/a/sub/f2 644 0:0',
      '/b 755 0:0', '/b/f1 644 0:0', '/b/sub 755 0:0', '/b/sub/f2 644 0:0',
      '/c 755 0:0', '/c/f1 644 0:0', '/c/sub 755 0:0', '/c/sub/f2 644 0:0',
      '/d 755 0:0', '/d/g1.txt 644 0:0', '/d/g2.txt 644 0:0',
      '/e 755 5:6', '/e/f1 644 5:6', '/e/sub 755 5:6', '/e/sub/f2 644 5:6',
      '/f 644 0:0',
    ]);
  });

  test('ARG before FROM, ${v}, ${v:-x}, ${v:+x}, escapes; a RUN\'s history names the build args it sees', async () => {
    const dir = await context('argsub', { Dockerfile: 'ARG B=busybox\nFROM $B\nARG V=1\nENV E=${V}x F=${U:-def} G=${V:+set} H=\\$V\nRUN echo "$E $F $G $H"\n' });
    const r = await build(['--no-cache', '-t', 'argsub', '--build-arg', 'V=9', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      withoutIds(r.stdout),
      [
        'Step 1/5 : ARG B=busybox',
        'Step 2/5 : FROM $B', ' ---> <id>',
        'Step 3/5 : ARG V=1', ' ---> <id>',
        'Step 4/5 : ENV E=${V}x F=${U:-def} G=${V:+set} H=\\$V', ' ---> <id>',
        'Step 5/5 : RUN echo "$E $F $G $H"', ' ---> Running in <id>', '9x def set $V', 'Removing intermediate container <id>', ' ---> <id>',
        'Successfully built <id>', 'Successfully tagged argsub:latest', '',
      ].join('\n'),
    );
    assert.equal(await ok(['image', 'inspect', '-f', '{{json .Config.Env}}', 'argsub']), '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","E=9x","F=def","G=set","H=$V"]\n');
    const hist = (await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'argsub'])).split('\n').slice(0, 3);
    assert.deepEqual(hist, ['|1 V=9 /bin/sh -c echo "$E $F $G $H"', '/bin/sh -c #(nop)  ENV E=9x F=def G=set H=$V', '/bin/sh -c #(nop)  ARG V=1']);
  });

  test('predefined proxy args: in RUN\'s environment, not consumed-warned, kept out of history unless declared', async () => {
    const dir = await context('proxy', { Dockerfile: 'FROM busybox\nRUN echo "p=$HTTP_PROXY n=$no_proxy"\nARG HTTP_PROXY\nRUN echo "p2=$HTTP_PROXY"\n' });
    const r = await build(['--build-arg', 'HTTP_PROXY=http://p:1', '--build-arg', 'no_proxy=x', '--no-cache', '-t', 'proxy', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      withoutIds(r.stdout),
      [
        'Step 1/4 : FROM busybox', ' ---> <id>',
        'Step 2/4 : RUN echo "p=$HTTP_PROXY n=$no_proxy"', ' ---> Running in <id>', 'p=http://p:1 n=x', 'Removing intermediate container <id>', ' ---> <id>',
        'Step 3/4 : ARG HTTP_PROXY', ' ---> <id>',
        'Step 4/4 : RUN echo "p2=$HTTP_PROXY"', ' ---> Running in <id>', 'p2=http://p:1', 'Removing intermediate container <id>', ' ---> <id>',
        'Successfully built <id>', 'Successfully tagged proxy:latest', '',
      ].join('\n'),
    );
    const hist = (await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'proxy'])).split('\n').slice(0, 3);
    assert.deepEqual(hist, ['|1 HTTP_PROXY=http://p:1 /bin/sh -c echo "p2=$HTTP_PROXY"', '/bin/sh -c #(nop)  ARG HTTP_PROXY', '|0 /bin/sh -c echo "p=$HTTP_PROXY n=$no_proxy"']);
  });

  test('SHELL, HEALTHCHECK, ONBUILD, ENTRYPOINT/CMD, STOPSIGNAL, EXPOSE, VOLUME, USER, LABEL: config JSON and history', async () => {
    const dir = await context('meta', {
      Dockerfile: 'FROM busybox\nSHELL ["/bin/sh", "-ec"]\nHEALTHCHECK --interval=5s --retries=2 CMD echo ok\nONBUILD RUN echo trig\nENTRYPOINT ["echo"]\nCMD x\nSTOPSIGNAL SIGINT\nEXPOSE 80/udp 90\nVOLUME /v\nUSER 1:2\nLABEL a=b\n',
    });
    const r = await build(['-t', 'meta', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      await ok(['image', 'inspect', '-f', '{{json .Config}}', 'meta']),
      '{"User":"1:2","ExposedPorts":{"80/udp":{},"90/tcp":{}},"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["echo"],"Cmd":["/bin/sh","-ec","x"],"Volumes":{"/v":{}},"Labels":{"a":"b"},"StopSignal":"SIGINT","Healthcheck":{"Test":["CMD-SHELL","echo ok"],"Interval":5000000000,"Retries":2},"OnBuild":["RUN echo trig"],"Shell":["/bin/sh","-ec"]}\n',
    );
    const hist = (await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'meta'])).split('\n').slice(0, 10);
    assert.deepEqual(hist, [
      '/bin/sh -ec #(nop)  LABEL a=b|0B|',
      '/bin/sh -ec #(nop)  USER 1:2|0B|',
      '/bin/sh -ec #(nop)  VOLUME [/v]|0B|',
      '/bin/sh -ec #(nop)  EXPOSE 80/udp 90|0B|',
      '/bin/sh -ec #(nop)  STOPSIGNAL SIGINT|0B|',
      '/bin/sh -ec #(nop)  CMD ["/bin/sh" "-ec" "x"]|0B|',
      '/bin/sh -ec #(nop)  ENTRYPOINT ["echo"]|0B|',
      '/bin/sh -ec #(nop)  ONBUILD RUN echo trig|0B|',
      '/bin/sh -ec #(nop)  HEALTHCHECK &{["CMD-SHELL" "echo ok"] "5s" "0s" "0s" \'\\x02\'}|0B|',
      '/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]|0B|',
    ]);
    // Durations print as Go's Duration.String(): minutes and hours, not a count of seconds.
    const long = await context('hc-long', { Dockerfile: 'FROM busybox\nHEALTHCHECK --interval=1m30s --timeout=2h CMD true\n' });
    assert.equal((await build(['-t', 'hc-long', long])).code, 0);
    assert.equal(
      (await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'hc-long'])).split('\n')[0],
      '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "1m30s" "2h0m0s" "0s" \'\\x00\'}',
    );
    // A child image runs the trigger first, and names the FROM's image only after it.
    const child = await context('onb', { Dockerfile: 'FROM meta\nRUN echo after\n' });
    const c = await build(['-t', 'onb', child]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(
      withoutIds(c.stdout),
      [
        'Step 1/2 : FROM meta', '# Executing 1 build trigger', ' ---> Running in <id>', 'trig', 'Removing intermediate container <id>', ' ---> <id>',
        'Step 2/2 : RUN echo after', ' ---> Running in <id>', 'after', 'Removing intermediate container <id>', ' ---> <id>',
        'Successfully built <id>', 'Successfully tagged onb:latest', '',
      ].join('\n'),
    );
    assert.equal(await ok(['image', 'inspect', '-f', '{{json .Config.OnBuild}} {{json .Config.Cmd}} {{json .Config.Entrypoint}}', 'onb']), 'null ["/bin/sh","-ec","x"] ["echo"]\n');
  });

  test('CMD and ENTRYPOINT: shell-form ENTRYPOINT with a later CMD; a child\'s ENTRYPOINT drops the inherited CMD', async () => {
    const a = await context('cmdent', { Dockerfile: 'FROM busybox\nENTRYPOINT echo e\nCMD ["c"]\n' });
    assert.equal((await build(['-t', 'cmdent', a])).code, 0);
    assert.equal(await ok(['image', 'inspect', '-f', '{{json .Config.Cmd}} {{json .Config.Entrypoint}}', 'cmdent']), '["c"] ["/bin/sh","-c","echo e"]\n');
    const b = await context('cmdent2', { Dockerfile: 'FROM cmdent\nENTRYPOINT ["x"]\n' });
    assert.equal((await build(['-t', 'cmdent2', b])).code, 0);
    assert.equal(await ok(['image', 'inspect', '-f', '{{json .Config.Cmd}} {{json .Config.Entrypoint}}', 'cmdent2']), 'null ["x"]\n');
  });

  test('context from stdin: a Dockerfile alone, a tar, and -f - with a directory', async () => {
    const df = await build(['-'], 'FROM busybox\nRUN echo hi\n');
    assert.equal(df.code, 0, df.stderr);
    assert.equal(withoutIds(df.stdout), 'Step 1/2 : FROM busybox\n ---> <id>\nStep 2/2 : RUN echo hi\n ---> Running in <id>\nhi\nRemoving intermediate container <id>\n ---> <id>\nSuccessfully built <id>\n');
    const dir = await context('stdin', { Dockerfile: 'FROM busybox\nCOPY Dockerfile /x\n' });
    const tarball = execFileSync('tar', ['-C', dir, '-c', '.']);
    const t = await build(['-t', 'stdintar', '-'], tarball);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(await ok(['run', '--rm', 'stdintar', 'cat', '/x']), 'FROM busybox\nCOPY Dockerfile /x\n');
    const f = await build(['-t', 'fdash', '-f', '-', dir], 'FROM busybox\nCOPY Dockerfile /y\n');
    assert.equal(f.code, 0, f.stderr);
    // -f - replaces the Dockerfile to run, not the context's file of that name.
    assert.equal(await ok(['run', '--rm', 'fdash', 'cat', '/y']), 'FROM busybox\nCOPY Dockerfile /x\n');
  });
});
