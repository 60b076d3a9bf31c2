// Bundles the CLI and the daemon: `node -e 0` costs ~75 ms here and every extra module
// resolved at start-up adds to it. The CLI is split: `dist/wharf.js` holds only argument
// dispatch, and each command is a chunk loaded by dynamic import() when it runs.
// `node scripts/build.mjs cli` (or `daemon`) builds one of them.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  // Native addon: loaded from node_modules at run time, never bundled.
  external: ['node-unix-socket'],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __wharfCreateRequire } from 'node:module'; const require = __wharfCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

const targets = {
  // Chunk names carry content hashes: clear old ones so dist/cli holds one build.
  cli: () => (rmSync('dist/cli', { recursive: true, force: true }), build({
    ...common, entryPoints: { wharf: 'src/cli/main.ts' }, outdir: 'dist', splitting: true,
    chunkNames: 'cli/[name]-[hash]',
    // Chunks are imported, never run: only the entry needs the shebang and require shim.
    banner: { js: common.banner.js },
  })).then(() => chmodSync('dist/wharf.js', 0o755)),
  daemon: () => build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/wharfd.js' })
    .then(() => chmodSync('dist/wharfd.js', 0o755)),
};

const only = process.argv[2];
await Promise.all(Object.entries(targets).filter(([k]) => !only || k === only).map(([, f]) => f()));
