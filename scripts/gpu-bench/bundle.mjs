// Bundles scripts/bench-gpu.ts into one ES module for a machine with Node and
// Dawn only: the engine's WGSL, imported with Vite's `?raw` suffix, becomes
// strings (as scripts/raw-hooks.mjs does when Node runs the sources); `webgpu`
// stays external, unpacked beside the bundle. Usage: node bundle.mjs OUT.mjs
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const out = process.argv[2];
if (!out) throw new Error('usage: node scripts/gpu-bench/bundle.mjs OUT.mjs');
const root = fileURLToPath(new URL('../..', import.meta.url));

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: resolve(dirname(a.importer), a.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (a) => ({ contents: await readFile(a.path, 'utf8'), loader: 'text' }));
  },
};

await build({
  entryPoints: [`${root}scripts/bench-gpu.ts`],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external: ['webgpu'],
  plugins: [rawText],
  legalComments: 'none',
  logLevel: 'warning',
});
