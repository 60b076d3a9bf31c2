// The README quickstart (issue 5's seed demo) against a test daemon: examples/httpd-cgi/build.sh
// makes the image (busybox plus /www/index.html and the CGI script /www/cgi-bin/kungfu),
// `wharf run -d -p PORT:8819 httpd-cgi httpd -f -p 8819 -h /www`, then curl asks the script.
// A free host port stands in for 8819, which a user's own wharfd may hold.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO, run, startDaemon, type TestDaemon } from './harness.js';
import { freePort } from './net-helpers.js';

const EXAMPLE = path.join(REPO, 'examples/httpd-cgi');
const QUERY = 'cgi-bin/kungfu?name=car&size=small';

/** curl, retried until it succeeds: httpd listens a moment after `run -d` returns. */
async function curlEventually(url: string): Promise<string> {
  const end = Date.now() + 5000;
  for (;;) {
    const r = await run('curl', ['-fsS', '--max-time', '5', url]);
    if (r.code === 0) return r.stdout;
    if (Date.now() > end) throw new Error(`curl ${url} exited ${r.code}: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('seed demo: busybox httpd with a CGI script behind a published port', { concurrency: false }, () => {
  let d: TestDaemon;

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('build.sh imports httpd-cgi: the www files, EXPOSE 8819, httpd as CMD', async () => {
    const r = await run('bash', [path.join(EXAMPLE, 'build.sh')], { env: d.scriptEnv });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'httpd-cgi:latest\n');
    const config = JSON.parse(await d.ok(['image', 'inspect', '-f', '{{json .Config}}', 'httpd-cgi'], 'wharf'));
    assert.deepEqual(config.ExposedPorts, { '8819/tcp': {} });
    assert.deepEqual(config.Cmd, ['httpd', '-f', '-p', '8819', '-h', '/www']);
    const ls = await d.ok(['run', '--rm', '--network', 'none', 'httpd-cgi', 'ls', '-ln', '/www/cgi-bin/kungfu'], 'wharf');
    assert.match(ls, /^-rwxr-xr-x +1 0 +0 +123 /);
  });

  test('run -d -p PORT:8819 … httpd, then curl the CGI script: name=car size=small', async () => {
    const port = await freePort();
    const id = (await d.ok(['run', '-d', '-p', `${port}:8819`, 'httpd-cgi', 'httpd', '-f', '-p', '8819', '-h', '/www'], 'wharf')).trim();
    try {
      assert.equal(await curlEventually(`http://localhost:${port}/`), '<h1>MyWeb : /x/x/x <h1>\n');
      const r = await run('curl', ['-sS', '--max-time', '5', `http://localhost:${port}/${QUERY}`]);
      assert.equal(r.code, 0, r.stderr);
      // The script's `echo $parm` and its closing `echo ""`.
      assert.equal(r.stdout, 'name=car size=small\n\n');
    } finally {
      await d.ok(['rm', '-f', id], 'wharf');
    }
  });

  test('demo.sh (what install.sh runs) builds the image when missing, prints the answer, removes its container', async () => {
    await d.ok(['rmi', 'httpd-cgi'], 'wharf');
    const port = await freePort();
    const r = await run('bash', [path.join(EXAMPLE, 'demo.sh'), '--port', String(port)], { env: d.scriptEnv });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `$ curl 'http://localhost:${port}/${QUERY}'\nname=car size=small\n\n`);
    assert.equal(await d.ok(['ps', '-aq'], 'wharf'), '');
    assert.equal((await d.ok(['images', '-q', 'httpd-cgi'], 'wharf')).trim().length, 12);
  });
});
