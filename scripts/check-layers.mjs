// Arrows point down: each folder of src/ may import only the folders listed for it.
// Run by scripts/test.sh; a violation fails the suite. (playwright's DEPS.list idea.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ALLOWED = {
  // The CLI is a client of the API like any other: it never reaches into the daemon.
  // `wharf compose` is a client too: its commands drive src/compose, which only uses the client.
  cli: ['client', 'compose', 'contract', 'reference', 'errdefs', 'units'],
  client: ['contract', 'errdefs'],
  // Routes turn HTTP into engine calls; image types appear in the image endpoints' views;
  // POST /build hands the context to the builder.
  api: ['engine', 'image', 'build', 'contract', 'reference', 'units', 'errdefs'],
  engine: ['archive', 'image', 'runtime', 'network', 'volume', 'store', 'contract', 'reference', 'errdefs', 'units'],
  // RUN steps commit a container's upper dir with archive's layer writer (as commit does).
  build: ['engine', 'image', 'archive', 'store', 'contract', 'reference', 'units', 'errdefs'],
  distribution: ['image', 'store', 'contract', 'reference', 'errdefs', 'units'],
  // Compose runs on the client side, through the API (as Compose v2 does).
  compose: ['client', 'contract', 'reference', 'units', 'errdefs'],
  image: ['archive', 'store', 'contract', 'reference', 'errdefs', 'units'],
  // Tar streams and container-rooted file access (cp, diff, commit, layer unpacking).
  archive: ['errdefs'],
  // Docker's image reference grammar: shared by the CLI (client-side checks) and the store.
  reference: ['errdefs'],
  volume: ['store', 'errdefs'],
  // The runtime and network drivers know nothing above them.
  runtime: ['store', 'errdefs'],
  network: ['store', 'errdefs'],
  store: ['errdefs'],
  errdefs: [],
  // docker/go-units wording (sizes, durations): the daemon's Status strings and the CLI's columns.
  units: [],
  contract: [],
  // The composition root wires everything.
  daemon: ['*'],
};

const SRC = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../src');
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) yield p;
  }
}

const problems = [];
for (const file of files(SRC)) {
  const folder = path.relative(SRC, file).split(path.sep)[0];
  const allowed = ALLOWED[folder];
  if (!allowed) {
    problems.push(`${path.relative(SRC, file)}: folder src/${folder} has no rule in scripts/check-layers.mjs`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
    if (target === folder || target.startsWith('..') || allowed.includes('*') || allowed.includes(target)) continue;
    problems.push(`${path.relative(SRC, file)}: src/${folder} may not import src/${target} (${spec})`);
  }
}
if (problems.length) {
  console.error(`check-layers: ${problems.length} import(s) point the wrong way:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('check-layers: arrows point down');
