// npm run bench: the benchmark grid through the real engine, in Node (Dawn) and
// in headless Chromium, with each configuration's floor and the CPU step.
// Prints a table and writes docs/benchmarks.json, docs/benchmarks.md and
// docs/scaling.svg.
//
//   npm run bench                    the whole grid, Node and Chromium
//   npm run bench -- --only "lsa d=5"  configurations whose id contains the text (printed, not written)
//   npm run bench -- --no-browser    Node only
//   npm run bench -- --runs 5        timed runs per configuration (≥ 3)
//   npm run bench -- --no-write      print only
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { nodeDevice } from '../src/gpu/node.ts';
import { BENCH_GRID } from '../src/bench/grid.ts';
import { benchCase, type BenchResult } from '../src/bench/run.ts';
import { markdownReport, scalingSvg, tableLines } from '../src/bench/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '1.5' },
    'no-browser': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const runs = Math.max(3, Number(values.runs));
const secondsPerRun = Number(values.seconds);
const cases = BENCH_GRID.filter((c) => !values.only || c.id.includes(values.only));
const log = (s: string) => process.stderr.write(s + '\n');

async function nodeResults(): Promise<BenchResult[]> {
  const gpu = await nodeDevice();
  log(`Node (Dawn): ${gpu.description}`);
  const out: BenchResult[] = [];
  try {
    for (const c of cases) out.push(await benchCase(gpu.device, c, { adapter: gpu.description, runs, secondsPerRun, log }));
  } finally {
    gpu.close();
  }
  return out;
}

async function browserResults(): Promise<BenchResult[]> {
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright-core');
  const server = await createServer({ root: ROOT, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  const address = server.httpServer!.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(0);
    await page.goto(`http://127.0.0.1:${port}/scripts/bench/index.html`);
    await page.waitForFunction(() => typeof window.__bench === 'function');
    log('Chromium: running the grid in the page…');
    return await page.evaluate(
      ({ ids, runs, secondsPerRun }) => window.__bench!(ids, { runs, secondsPerRun }),
      { ids: cases.map((c) => c.id), runs, secondsPerRun },
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

const node = await nodeResults();
let browser: BenchResult[] = [];
if (!values['no-browser']) {
  try {
    browser = await browserResults();
  } catch (e) {
    log(`Chromium run failed: ${(e as Error).message}`);
  }
}
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown CPU',
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.type()} ${os.release()}`,
  node: process.version,
  date: new Date().toISOString(),
};
const report = { machine, node, browser };
process.stdout.write(tableLines(node, 'Node (Dawn)').join('\n') + '\n');
if (browser.length) process.stdout.write('\n' + tableLines(browser, 'Chromium').join('\n') + '\n');
// A partial grid would replace the whole report with its few rows.
if (values.only && !values['no-write']) log('--only: a partial grid is not written; run the whole grid to refresh docs/benchmarks.*');
else if (!values['no-write']) {
  writeFileSync(`${ROOT}docs/benchmarks.json`, JSON.stringify(report, null, 1) + '\n');
  writeFileSync(`${ROOT}docs/benchmarks.md`, markdownReport(report));
  writeFileSync(`${ROOT}docs/scaling.svg`, scalingSvg(node));
  log('wrote docs/benchmarks.json, docs/benchmarks.md, docs/scaling.svg');
}
process.exit(0);
