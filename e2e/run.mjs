// End-to-end tests of the built page (dist/) in headless Chromium, with real
// WebGPU on SwiftShader. Build first (`npm run build` or `npx vite build`);
// this script only serves dist/ and drives the browser.
//
//   node e2e/run.mjs [filter]   (CHROME_PATH overrides /usr/bin/chromium;
//                               a filter runs only tests whose name contains it;
//                               E2E_DIST serves another build directory)
//
// Every file in e2e/suites/ exports `tests`: [{ name, run({ gpuContext, origin }) }].
//
// Prints one line per test and ends with "N passed, M failed"; exits non-zero
// on any failure. Screenshots: docs/screenshot-first-page.png (LSA),
// docs/screenshot-softmax.png (two softmax heads), docs/screenshot-spectra.png
// (LSA on AR(1) data: Γ_eff, Γ* and their spectra), docs/screenshot-multitask.png
// (two tasks, four softmax heads), docs/screenshot-dark.png (LSA, dark theme),
// docs/screenshot-sweep.png (the sweep mode), docs/screenshot-compare.png (two runs compared),
// test-results/screenshot-softmax-pattern.png
// (the heads card with He et al.'s pattern shown), test-results/screenshot-task-pool.png
// (a task pool: pool and fresh-task numbers side by side), and on failure test-results/<test>.png.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeAll, CHROME, DIST, launch, ROOT, startServer, TEST_TIMEOUT_MS } from './lib.mjs';

/** Per test, on average, with room: the whole run is cut off past this. */
const TOTAL_TIMEOUT_PER_TEST_MS = 30_000;

async function loadTests() {
  const dir = join(ROOT, 'e2e', 'suites');
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort((a, b) => (a === 'core.mjs' ? -1 : b === 'core.mjs' ? 1 : a.localeCompare(b)));
  const all = [];
  for (const f of files) all.push(...(await import(pathToFileURL(join(dir, f)).href)).tests);
  const filter = process.argv[2];
  return filter ? all.filter((t) => t.name.includes(filter)) : all;
}

// ---- runner ------------------------------------------------------------------------

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main(tests) {
  if (!existsSync(join(DIST, 'index.html'))) {
    console.error('dist/index.html not found: build first (npm run build, or npx vite build).');
    return { passed: 0, failed: 1 };
  }
  if (!existsSync(CHROME)) {
    console.error(`no browser at ${CHROME}: install chromium or set CHROME_PATH.`);
    return { passed: 0, failed: 1 };
  }
  const t0 = Date.now();
  const { server, origin } = await startServer();
  let passed = 0;
  let failed = 0;
  try {
    const gpuContext = await launch({ webgpu: true });
    for (const t of tests) {
      const start = Date.now();
      try {
        await withTimeout(t.run({ gpuContext, origin }), TEST_TIMEOUT_MS, t.name);
        passed++;
        console.log(`  ✓ ${t.name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(`  ✗ ${t.name} (${((Date.now() - start) / 1000).toFixed(1)} s)\n      ${String(e?.stack ?? e).split('\n').join('\n      ')}`);
        for (const page of gpuContext.pages()) {
          mkdirSync(join(ROOT, 'test-results'), { recursive: true });
          const file = join(ROOT, 'test-results', `${t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
          await page.screenshot({ path: file }).catch(() => {});
          await page.close().catch(() => {});
        }
      }
    }
  } finally {
    await closeAll();
    server.close();
  }
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return { passed, failed };
}

const tests = await loadTests();
const totalTimeoutMs = 60_000 + tests.length * TOTAL_TIMEOUT_PER_TEST_MS;
const guard = setTimeout(() => {
  console.error(`e2e run exceeded ${totalTimeoutMs / 1000} s`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}, totalTimeoutMs);

main(tests)
  .catch((e) => {
    console.error(e);
    return { passed: 0, failed: 1 };
  })
  .then(({ passed, failed }) => {
    clearTimeout(guard);
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed > 0 ? 1 : 0);
  });
