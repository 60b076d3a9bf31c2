// Docker's SDK for Python (docker-py) as a client of wharfd: test/sdk/docker_py_smoke.py runs
// the calls its users make most (run, exec, logs, archive, build, networks, volumes, ports,
// events, attach, wait, resize, import, stats…) with exact expectations. Debian's
// python3-docker (5.0.3, installed by scripts/deps.sh) runs it; so does a newer SDK when the
// `python3` on PATH has one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { REPO, run, startDaemon, type TestDaemon } from './harness.js';

function sdkVersion(python: string): string | undefined {
  try {
    return execFileSync(python, ['-c', 'import docker; print(docker.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function interpreters(): { python: string; version: string }[] {
  const out: { python: string; version: string }[] = [];
  const seen = new Set<string>();
  for (const p of ['/usr/bin/python3', 'python3']) {
    let real: string;
    try {
      real = realpathSync(p.startsWith('/') ? p : execFileSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).trim());
    } catch {
      continue;
    }
    const version = sdkVersion(real);
    if (version && !seen.has(version)) {
      seen.add(version);
      out.push({ python: real, version });
    }
  }
  return out;
}

const found = interpreters();

describe('Docker SDK for Python', { skip: found.length === 0 ? 'no python3 with the docker module (scripts/deps.sh installs python3-docker)' : false }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  for (const { python, version } of found) {
    test(`docker-py ${version}: every case passes`, async () => {
      const third = 100 + Math.floor(Math.random() * 100);
      const r = await run(python, [path.join(REPO, 'test/sdk/docker_py_smoke.py')], {
        env: { ...d.env, SDK_BRIDGE: `${d.bridge}-sdk`, SDK_SUBNET: `10.232.${third}` },
        timeoutMs: 240_000,
      });
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /^FAILS: \[\]$/m);
      assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('ok  ')).length, 25, r.stdout);
      assert.equal((await d.ok(['ps', '-aq'])).trim(), '', 'the script removes its containers');
    });
  }
});
