// Bundles the CLI and the daemon. `node scripts/build.mjs cli` (or `daemon`) builds one.
//
// The CLI's start-up time is a target (within 20 ms of `node -e 0`), and the format was
// chosen by measurement (hyperfine, `wharf version` against wharfd, min of 60 runs):
//   ESM split into chunks (one per command)   86.8 ms
//   ESM, one file                             84.2 ms
//   ESM stub that require()s a CJS bundle     83.6 ms
//   CommonJS, one file                        78.5 ms   (node -e 0: 56 ms)
// Node's ESM loader costs a few ms to start and more per module; V8 compiles the one CJS
// file lazily (commands stay in `__esm` wrappers that run on first import()), so unused
// commands cost only a pre-parse. The package is `"type": "module"`, so the bundle must
// be named .cjs; `dist/wharf.js` is a symlink to it: node resolves the main script's real
// path before choosing the loader, and npm's bin link works through it.
import { build } from 'esbuild';
import { chmodSync, rmSync, symlinkSync } from 'node:fs';

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
  cli: async () => {
    // Earlier builds left ESM chunks here; dist/cli holds one build.
    rmSync('dist/cli', { recursive: true, force: true });
    await build({ ...common, format: 'cjs', entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli/wharf.cjs', banner: { js: '#!/usr/bin/env node' } });
    chmodSync('dist/cli/wharf.cjs', 0o755);
    rmSync('dist/wharf.js', { force: true });
    rmSync('dist/wharf.js.map', { force: true });
    symlinkSync('cli/wharf.cjs', 'dist/wharf.js');
    // `wharf-compose` (docker-compose's spelling of `wharf compose`): same bundle, named entry.
    rmSync('dist/wharf-compose', { force: true });
    symlinkSync('cli/wharf.cjs', 'dist/wharf-compose');
  },
  daemon: () => Promise.all([
    build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/wharfd.js' }).then(() => chmodSync('dist/wharfd.js', 0o755)),
    // The layer unpacker's worker thread (src/image/unpack.ts loads it from beside wharfd.js).
    build({ ...common, entryPoints: ['src/image/unpack-worker.ts'], outfile: 'dist/unpack-worker.js' }),
  ]),
};

const only = process.argv[2];
await Promise.all(Object.entries(targets).filter(([k]) => !only || k === only).map(([, f]) => f()));
