// `wharf` with no daemon running starts wharfd itself, saying so in one line on stderr.
// This needs wharf's default socket, so it runs only when nothing uses the default paths
// (a fresh machine, CI) and removes only what it created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TARGET, WHARF, run } from './harness.js';

const DEFAULT_ROOT = '/var/lib/wharf';
const DEFAULT_EXEC = '/run/wharf';
const busy = existsSync(DEFAULT_ROOT) || existsSync(DEFAULT_EXEC);

test('wharf run through a symlink, with no daemon, starts wharfd and goes on', { skip: TARGET === 'docker' || busy ? 'the default paths are in use' : false }, async () => {
  // Installed CLIs are symlinks (/usr/local/bin/wharf): wharfd.js must be found from the real file.
  const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-bin-'));
  await fs.symlink(WHARF, path.join(bin, 'wharf'));
  // The default daemon makes the default bridge and nft table; they go too if they were not here.
  const hadBridge = (await run('ip', ['link', 'show', 'dev', 'wharf0'])).code === 0;
  const hadTable = (await run('nft', ['list', 'table', 'inet', 'wharf'])).code === 0;
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.WHARFD;
  try {
    const r = await run(path.join(bin, 'wharf'), ['version', '--format', '{{.Server.APIVersion}}'], { env, timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1.50\n');
    assert.match(r.stderr, /^wharf: started wharfd \(pid \d+, socket \/run\/wharf\/wharf\.sock\)\n$/);
    const again = await run(path.join(bin, 'wharf'), ['version', '--format', '{{.Server.APIVersion}}'], { env });
    assert.equal(again.stderr, '', 'a running daemon is not started twice');
  } finally {
    const pid = Number((await fs.readFile(path.join(DEFAULT_EXEC, 'wharfd.pid'), 'utf8').catch(() => '0')).trim());
    if (pid > 0) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50));
    }
    if (!hadBridge) await run('ip', ['link', 'del', 'dev', 'wharf0']);
    if (!hadTable) await run('nft', ['delete', 'table', 'inet', 'wharf']);
    await fs.rm(DEFAULT_ROOT, { recursive: true, force: true });
    await fs.rm(DEFAULT_EXEC, { recursive: true, force: true });
    await fs.rm(bin, { recursive: true, force: true });
  }
});
