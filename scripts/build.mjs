// Bundles the CLI and the daemon into one file each: `node -e 0` costs ~75 ms here and
// every extra module resolved at start-up adds to it, so the CLI loads one file.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

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

const entries = [
  { in: 'src/cli/main.ts', out: 'dist/wharf.js' },
  { in: 'src/daemon/main.ts', out: 'dist/wharfd.js' },
];
await Promise.all(entries.map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out })));
for (const e of entries) chmodSync(e.out, 0o755);
