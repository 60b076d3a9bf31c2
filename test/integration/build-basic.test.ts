// docker build (classic API, DOCKER_BUILDKIT=0) and wharf build: the classic stream, the
// resulting image's config and files, the step cache (hits, misses, identical IDs, after
// a restart), multi-stage with --target, .dockerignore, heredocs, build args, and bad
// input that ends the build cleanly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeContext } from './build-helpers.js';
import { startDaemon, type TestDaemon } from './harness.js';

describe('build', () => {
  let d: TestDaemon;
  let scratch: string;

  /** A context dir with these files; returns its path. */
  const context = (name: string, files: Record<string, string>) => writeContext(scratch, name, files);
  const build = (args: string[], cli: 'docker' | 'wharf' = 'docker', input?: string) => d[cli](['build', ...args], { timeoutMs: 120_000, ...(input !== undefined ? { input } : {}) });
  const ok = async (args: string[], cli: 'docker' | 'wharf' = 'docker') => {
    const r = await d[cli](args);
    assert.equal(r.code, 0, `${cli} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** Build output with image and container IDs replaced, for exact comparison. */
  const ids = (s: string) => s.replace(/[0-9a-f]{12}\b/g, '<id>');

  before(async () => {
    // The docker CLI v28 uses the classic POST /build only with BuildKit off.
    process.env.DOCKER_BUILDKIT = '0';
    d = await startDaemon();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-build-'));
  });
  after(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
    await d.close();
  });

  test('classic stream, config, files; a rebuild is fully cached with the same ID', async () => {
    const dir = await context('basic', {
      'a.txt': 'hello\n',
      'sub/b.txt': 'b\n',
      Dockerfile: 'FROM busybox\nENV A=1 B="two words"\nWORKDIR /app\nCOPY a.txt .\nCOPY sub /app/sub/\nRUN echo "run $A $B" && cat a.txt && echo made > made.txt && rm /bin/vi\nCMD ["cat", "/app/made.txt"]\n',
    });
    const first = await build(['-t', 'basic', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      ids(first.stdout.replace(/^Sending build context[^\n]*\n/, '')),
      [
        'Step 1/7 : FROM busybox', ' ---> <id>',
        'Step 2/7 : ENV A=1 B="two words"', ' ---> <id>',
        'Step 3/7 : WORKDIR /app', ' ---> <id>',
        'Step 4/7 : COPY a.txt .', ' ---> <id>',
        'Step 5/7 : COPY sub /app/sub/', ' ---> <id>',
        'Step 6/7 : RUN echo "run $A $B" && cat a.txt && echo made > made.txt && rm /bin/vi', ' ---> Running in <id>', 'run 1 two words', 'hello', 'Removing intermediate container <id>', ' ---> <id>',
        'Step 7/7 : CMD ["cat", "/app/made.txt"]', ' ---> <id>',
        'Successfully built <id>', 'Successfully tagged basic:latest', '',
      ].join('\n'),
    );
    assert.equal(await ok(['run', '--rm', 'basic']), 'made\n');
    assert.equal(await ok(['run', '--rm', 'basic', 'sh', '-c', 'cat /app/a.txt /app/sub/b.txt; stat -c "%U %a %n" /app /app/a.txt /app/sub; test -e /bin/vi || echo novi']), 'hello\nb\nroot 755 /app\nroot 644 /app/a.txt\nroot 755 /app/sub\nnovi\n');
    assert.equal(await ok(['image', 'inspect', '-f', '{{json .Config.Env}} {{.Config.WorkingDir}} {{json .Config.Cmd}}', 'basic']), '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1","B=two words"] /app ["cat","/app/made.txt"]\n');
    const hist = await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'basic']);
    assert.match(hist, /^\/bin\/sh -c #\(nop\)  CMD \["cat" "\/app\/made.txt"\]\n\/bin\/sh -c echo "run \$A \$B" && cat a.txt && echo made > made.txt && rm \/bin\/vi\n\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \/app\/sub\/ \n\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \. \n\/bin\/sh -c #\(nop\) WORKDIR \/app\n\/bin\/sh -c #\(nop\)  ENV A=1 B=two words\n/);
    const id = (await ok(['image', 'inspect', '-f', '{{.Id}}', 'basic'])).trim();

    const again = await build(['-t', 'basic', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/ ---> Using cache\n/g) ?? []).length, 6);
    assert.doesNotMatch(again.stdout, /Running in/);
    assert.equal(await ok(['image', 'inspect', '-f', '{{.Id}}', 'basic']), `${id}\n`);
    // No build container is left behind.
    assert.equal(await ok(['ps', '-aq']), '');

    // The cache survives a daemon restart.
    await d.restart();
    const third = await build(['-q', dir]);
    assert.equal(third.stdout, `${id}\n`);

    // Changing one copied file rebuilds from that step on.
    await fs.writeFile(path.join(dir, 'sub/b.txt'), 'changed\n');
    const fourth = await build(['-t', 'basic', dir]);
    assert.equal((fourth.stdout.match(/ ---> Using cache\n/g) ?? []).length, 3);
    assert.equal(await ok(['run', '--rm', 'basic', 'cat', '/app/sub/b.txt']), 'changed\n');
    // Touching a file without changing it keeps the cache (content, not timestamps).
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(path.join(dir, 'a.txt'), later, later);
    const fifth = await build(['-q', '-t', 'basic', dir]);
    assert.equal(fifth.stdout, `${(await ok(['image', 'inspect', '-f', '{{.Id}}', 'basic'])).trim()}\n`);
  });

  test('COPY cache keys: content and mode of what is copied, nothing else; globs and `.` too', async () => {
    const dir = await context('keys', {
      'data/a': 'a',
      'data/b': 'b',
      'other/o': 'o',
      'g1.txt': '1',
      Dockerfile: 'FROM busybox\nCOPY data /data\nCOPY g*.txt /g/\nCOPY . /all/\n',
    });
    const hits = (out: string) => (out.match(/ ---> Using cache\n/g) ?? []).length;
    const first = await build([dir]);
    assert.equal(first.code, 0, first.stderr);
    const again = await build([dir]);
    assert.equal(hits(again.stdout), 3, again.stdout);
    // A file outside `data` and the glob: only `COPY .` misses.
    await fs.writeFile(path.join(dir, 'other/o'), 'changed');
    const other = await build(['-t', 'keys', dir]);
    assert.match(other.stdout, /Step 2\/4 : COPY data \/data\n ---> Using cache\n/);
    assert.match(other.stdout, /Step 3\/4 : COPY g\*\.txt \/g\/\n ---> Using cache\n/);
    assert.match(other.stdout, /Step 4\/4 : COPY \. \/all\/\n ---> [0-9a-f]{12}\n/);
    // A mode change is a change.
    await fs.chmod(path.join(dir, 'data/b'), 0o600);
    const mode = await build(['-t', 'keys', dir]);
    assert.equal(hits(mode.stdout), 0, mode.stdout);
    assert.equal(await ok(['run', '--rm', 'keys', 'stat', '-c', '%a', '/data/b', '/all/data/b']), '600\n600\n');
    // A new file matching the glob: the glob step misses.
    await fs.writeFile(path.join(dir, 'g2.txt'), '2');
    const glob = await build(['-t', 'keys', dir]);
    assert.match(glob.stdout, /Step 2\/4 : COPY data \/data\n ---> Using cache\n/);
    assert.match(glob.stdout, /Step 3\/4 : COPY g\*\.txt \/g\/\n ---> [0-9a-f]{12}\n/);
    assert.equal(await ok(['run', '--rm', 'keys', 'cat', '/g/g1.txt', '/g/g2.txt', '/all/other/o']), '12changed');
  });

  test('metadata instructions, ENTRYPOINT/CMD rules, USER, ARG and --build-arg, --label', async () => {
    const dir = await context('meta', {
      Dockerfile: [
        'ARG BASE=busybox',
        'FROM ${BASE}',
        'ARG V=default',
        'ARG UNUSED_DEFAULT',
        'LABEL a=1 "b c"="d e"',
        'EXPOSE 80 53/udp',
        'VOLUME ["/data"]',
        'STOPSIGNAL SIGINT',
        'USER nobody',
        'RUN echo "v=$V" > /tmp/v',
        'ENTRYPOINT ["echo"]',
        'SHELL ["/bin/sh", "-ec"]',
        'ENV X=${V:-none}',
        '',
      ].join('\n'),
    });
    const r = await build(['-t', 'meta', '--build-arg', 'V=given', '--build-arg', 'NOPE=1', '--label', 'from=cli', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Step 1\/14 : ARG BASE=busybox\nStep 2\/14 : FROM \$\{BASE\}\n/m);
    assert.match(r.stdout, /Step 14\/14 : LABEL "from"="cli"\n/);
    assert.match(r.stdout, /\[Warning\] One or more build-args \[NOPE\] were not consumed\n/);
    const f = '{{json .Config.Labels}} {{json .Config.ExposedPorts}} {{json .Config.Volumes}} {{.Config.StopSignal}} {{.Config.User}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.Shell}}';
    assert.equal(await ok(['image', 'inspect', '-f', f, 'meta']), '{"a":"1","b c":"d e","from":"cli"} {"53/udp":{},"80/tcp":{}} {"/data":{}} SIGINT nobody ["echo"] null ["/bin/sh","-ec"]\n');
    assert.equal(await ok(['image', 'inspect', '-f', '{{index .Config.Env 1}}', 'meta']), 'X=given\n');
    assert.equal(await ok(['run', '--rm', '--entrypoint', 'cat', 'meta', '/tmp/v']), 'v=given\n');
    assert.match(await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'meta']), /\|1 V=given \/bin\/sh -c echo "v=\$V" > \/tmp\/v\n/);
  });

  test('multi-stage: COPY --from, --target, unneeded stages skipped', async () => {
    const dir = await context('multi', {
      Dockerfile: [
        'FROM busybox AS one',
        'RUN echo one > /one',
        'FROM busybox AS unused',
        'RUN exit 9',
        'FROM one AS two',
        'RUN echo two > /two',
        'FROM scratch',
        'COPY --from=two /one /two /out/',
        'COPY --from=0 /bin/busybox /bin/sh',
        '',
      ].join('\n'),
    });
    const r = await build(['-t', 'multi', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /exit 9/);
    assert.match(r.stdout, /^Step 1\/7 : FROM busybox AS one$/m);
    assert.equal(await ok(['run', '--rm', 'multi', '/bin/sh', '-c', 'cat /out/one /out/two']), 'one\ntwo\n');
    const t = await build(['-t', 'multi-two', '--target', 'two', dir]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /Step 4\/4 : RUN echo two > \/two\n ---> Using cache\n/);
    assert.equal(await ok(['run', '--rm', 'multi-two', 'cat', '/one', '/two']), 'one\ntwo\n');
    const bad = await build(['--target', 'nope', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /failed to reach build target nope in Dockerfile/);
  });

  test('.dockerignore, COPY globs, --chown/--chmod, heredocs, -f -', async () => {
    const dir = await context('ignore', {
      '.dockerignore': 'secret*\nlogs/\n!logs/keep.log\n',
      'secret.txt': 's',
      'logs/a.log': 'a',
      'logs/keep.log': 'k',
      'x1.txt': '1',
      'x2.txt': '2',
      'y.md': 'y',
      Dockerfile: [
        'FROM busybox',
        'COPY . /ctx/',
        'COPY --chown=nobody:nogroup --chmod=600 x*.txt /glob/',
        'COPY <<EOF /here.txt',
        'hello $HOSTNAME "quoted"',
        'EOF',
        'RUN <<EOT',
        'echo from heredoc > /run.txt',
        'echo second >> /run.txt',
        'EOT',
        '',
      ].join('\n'),
    });
    for (const cli of ['docker', 'wharf'] as const) {
      const r = await build(['-t', `ign-${cli}`, dir], cli);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        await ok(['run', '--rm', `ign-${cli}`, 'sh', '-c', 'cd /ctx && find . | sort && stat -c "%u:%g %a %n" /glob/x1.txt /glob/x2.txt && cat /here.txt /run.txt']),
        './\n.\n./.dockerignore\n./Dockerfile\n./logs\n./logs/keep.log\n./x1.txt\n./x2.txt\n./y.md\n'.replace('./\n', '') + '65534:65534 600 /glob/x1.txt\n65534:65534 600 /glob/x2.txt\nhello  "quoted"\nfrom heredoc\nsecond\n',
      );
    }
    const stdin = await build(['-t', 'fromstdin', '-f', '-', dir], 'docker', 'FROM busybox\nCOPY y.md /\n');
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal(await ok(['run', '--rm', 'fromstdin', 'cat', '/y.md']), 'y');
    const w = await build(['-q', '-f', '-', dir], 'wharf', 'FROM busybox\nCOPY y.md /\n');
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, `${(await ok(['image', 'inspect', '-f', '{{.Id}}', 'fromstdin'])).trim()}\n`);
  });

  test('bad input ends the build cleanly with a clear error', async () => {
    const cases: Array<[string, RegExp, number]> = [
      ['FROM busybox\nFOO bar\n', /dockerfile parse error line 2 of Dockerfile: unknown instruction: FOO/, 1],
      ['FROM busybox\nCOPY ../x /x\n', /COPY failed: forbidden path outside the build context: \.\.\/x/, 1],
      ['FROM busybox\nCOPY missing /x\n', /COPY failed: file not found in build context or excluded by \.dockerignore: stat missing: file does not exist/, 1],
      ['FROM busybox\nCOPY --from=nostage /a /b\n', /invalid from flag value nostage/, 1],
      ['FROM busybox\nRUN echo failing-output && exit 3\n', /The command '\/bin\/sh -c echo failing-output && exit 3' returned a non-zero code: 3/, 3],
    ];
    const before = await ok(['images', '-aq']);
    for (const [i, [df, re, code]] of cases.entries()) {
      const dir = await context(`bad${i}`, { Dockerfile: df });
      const r = await build([dir]);
      assert.equal(r.code, code, `${df}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, re);
      if (code === 3) assert.match(r.stdout, /failing-output\n/);
    }
    assert.equal(await ok(['ps', '-aq']), '');
    // Only the one FROM-then-fail build's images exist beyond what was there (none here: the
    // failing steps are the first after FROM), so the image list is unchanged.
    assert.equal(await ok(['images', '-aq']), before);
    const tmp = await fs.readdir(path.join(d.dataRoot, 'build', 'tmp'));
    assert.deepEqual(tmp, []);
  });
  test('quick RUN steps: every step\'s output, in order, and no step waits on its log (logs -f after an exit ends)', async () => {
    const steps = Array.from({ length: 30 }, (_, i) => `RUN echo out${i}`).join('\n');
    const dir = await context('quick-runs', { Dockerfile: `FROM busybox\n${steps}\n` });
    const started = Date.now();
    const r = await build(['--no-cache', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('out')), Array.from({ length: 30 }, (_, i) => `out${i}`));
    assert.ok(Date.now() - started < 30_000, `30 RUN steps took ${Date.now() - started} ms`);
    // The engine path the builder uses, through the API: follow a container that has just exited.
    for (let i = 0; i < 10; i++) {
      const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'echo', `hi${i}`])).trim();
      const logs = await d.docker(['logs', '-f', id], { timeoutMs: 10_000 });
      assert.equal(logs.stdout, `hi${i}\n`);
      await ok(['rm', '-f', id]);
    }
  });
});
