// Playwright Test for the browser tests (e2e/lab.spec.mjs): one worker, as
// the tests share one Chromium whose WebGPU is the machine's GPU or, without
// one, SwiftShader on the CPU; traces and screenshots kept for failures
// under test-results/.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './e2e',
  testMatch: 'lab.spec.mjs',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  // A whole run: well under CI's budget even on two cores.
  globalTimeout: 45 * 60_000,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['./e2e/summary-reporter.mjs']],
  outputDir: 'test-results',
  preserveOutput: 'failures-only',
});
