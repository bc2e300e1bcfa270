// Playwright Test fixtures for the browser tests: one static server for the
// built site and one Chromium with WebGPU (SwiftShader where there is no GPU)
// per worker, shared by the tests like a user's browser; per test, a trace
// chunk of that browser kept on failure, with a screenshot of every page
// still open. Each suite's tests check their pages' problems themselves
// (page errors, console errors, requests outside the origin, CSP reports,
// native dialogs: e2e/lib.mjs open() collects them, assertNoProblems fails
// on them).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { CHROME, closeAll, DIST, launch, startServer } from './lib.mjs';

export const test = base.extend({
  lab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/index.html not found: build first (npm run build, or npx vite build).');
      if (!existsSync(CHROME)) throw new Error(`no browser at ${CHROME}: install chromium or set CHROME_PATH.`);
      const { server, origin } = await startServer();
      const gpuContext = await launch({ webgpu: true });
      // Actions, console and network; no DOM snapshots or screencast: the tests poll the
      // page every 50 ms, and snapshotting each poll made the run a third slower.
      await gpuContext.tracing.start({ snapshots: false, screenshots: false, sources: false });
      await use({ gpuContext, origin });
      await gpuContext.tracing.stop().catch(() => {});
      await closeAll();
      server.close();
    },
    { scope: 'worker' },
  ],
  ctx: async ({ lab }, use, testInfo) => {
    await lab.gpuContext.tracing.startChunk({ title: testInfo.title });
    await use(lab);
    const failed = testInfo.status !== testInfo.expectedStatus;
    if (failed) {
      for (const [i, page] of lab.gpuContext.pages().entries()) {
        const path = testInfo.outputPath(`page-${i}.png`);
        if (await page.screenshot({ path }).then(() => true, () => false)) await testInfo.attach(`page ${i}`, { path, contentType: 'image/png' });
      }
      const trace = testInfo.outputPath('trace.zip');
      await lab.gpuContext.tracing.stopChunk({ path: trace });
      await testInfo.attach('trace', { path: trace, contentType: 'application/zip' });
    } else await lab.gpuContext.tracing.stopChunk();
    // A failed test's pages go, so the next starts clean (a passing one closed its own).
    if (failed) for (const page of lab.gpuContext.pages()) await page.close().catch(() => {});
  },
});
