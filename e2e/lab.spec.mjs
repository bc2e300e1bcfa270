// The browser tests: every suite in e2e/suites/ (each exports `tests`:
// [{ name, run({ gpuContext, origin }) }]), core first, each test run by
// Playwright Test against the built site (dist/) in headless Chromium with
// WebGPU; the run ends with "N passed, N failed". Screenshots: the README's
// docs/screenshot-first-page.png (LSA), -softmax.png (two softmax heads),
// -spectra.png (Γ_eff, Γ* and their spectra), -multitask.png (two tasks, four
// heads), -dark.png (dark theme), -sweep.png, -compare.png, -no-webgpu.png;
// test-results/screenshot-softmax-pattern.png and -task-pool.png; and on a
// failure, every open page and a trace under test-results/<test>/.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from './fixtures.mjs';
import { ROOT } from './lib.mjs';

const dir = join(ROOT, 'e2e', 'suites');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .sort((a, b) => (a === 'core.mjs' ? -1 : b === 'core.mjs' ? 1 : a.localeCompare(b)));

for (const file of files) {
  const { tests } = await import(pathToFileURL(join(dir, file)).href);
  test.describe(file.replace(/\.mjs$/, ''), () => {
    for (const t of tests) test(t.name, ({ ctx }) => t.run(ctx));
  });
}
