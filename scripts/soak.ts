// Soak run: 200,000 training steps in the runner (Node, Dawn) and in the page
// (headless Chromium), reporting memory at the start and the end: the JS heap
// after a garbage collection, the GPU buffers the lab holds, and the points
// its histories keep. Writes docs/soak.md.
//
//   npm run soak [-- --steps N] [--no-page] [--no-write]
//
// The page part builds the site into a temporary directory and drives it
// through playwright-core (CHROME_PATH overrides /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runExperiment } from '../src/orchestration/run.ts';
import { trackBuffers } from '../src/gpu/bufferAccounting.ts';
import { nodeDevice } from '../src/gpu/node.ts';
import { decodeSpec, encodeSpec } from '../src/spec/index.ts';
import { LossHistory } from '../src/store/lossHistory.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { steps: { type: 'string', default: '200000' }, 'no-page': { type: 'boolean' }, 'no-write': { type: 'boolean' } },
});
const STEPS = Number(values.steps);
if (!Number.isInteger(STEPS) || STEPS < 2000) throw new Error('--steps must be an integer ≥ 2000');
/** A small LSA experiment, so 200,000 steps take about a minute on a CPU adapter. */
const QUERY = `v=1&d=3&n=8&B=32&T=${STEPS}&lr=0.005&ep=4096`;
const WARMUP = 1000;

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (!exposedGc) throw new Error('run with node --expose-gc (npm run soak does)');
const gc: () => void = exposedGc;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(2);

interface Row {
  where: string;
  adapter: string;
  steps: number;
  seconds: number;
  heapStart: number;
  /** At the end of training (the page: at 97% of the steps, still training). */
  heapLate: number;
  /** Once training and its evaluation are done (results and plots included). */
  heapEnd: number;
  gpuStart: { count: number; bytes: number };
  gpuEnd: { count: number; bytes: number };
  /** After the end-of-run evaluation, which allocates its own buffers once. */
  gpuAfterEval: { count: number; bytes: number };
  historyPoints: number;
}

async function runnerSoak(): Promise<Row> {
  const gpu = await nodeDevice();
  const account = trackBuffers(gpu.device);
  const { spec } = decodeSpec(QUERY);
  // The page's bounded history, fed every readback as the page does.
  const history = new LossHistory();
  let start: Pick<Row, 'heapStart' | 'gpuStart'> | null = null;
  let end: { heap: number; gpu: { count: number; bytes: number } } | null = null;
  let t0 = 0;
  await runExperiment(gpu.device, spec, {
    adapter: gpu.description,
    chunkSteps: 100,
    maxHistory: 1000,
    onProgress: (r) => {
      history.push(r.losses);
      if (r.step === WARMUP) {
        gc();
        start = { heapStart: process.memoryUsage().heapUsed, gpuStart: { count: account.liveCount(), bytes: account.liveBytes() } };
        t0 = performance.now();
      }
      if (r.step === STEPS) {
        gc();
        end = { heap: process.memoryUsage().heapUsed, gpu: { count: account.liveCount(), bytes: account.liveBytes() } };
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const gpuAfterEval = { count: account.liveCount(), bytes: account.liveBytes() };
  gc();
  const heapAfterEval = process.memoryUsage().heapUsed;
  gpu.close();
  const s = start as Pick<Row, 'heapStart' | 'gpuStart'> | null;
  const e = end as { heap: number; gpu: { count: number; bytes: number } } | null;
  if (!s || !e) throw new Error('the soak run did not reach its checkpoints');
  return { where: 'runner (Node, Dawn)', adapter: gpu.description, steps: STEPS, seconds, ...s, heapLate: e.heap, heapEnd: heapAfterEval, gpuEnd: e.gpu, gpuAfterEval, historyPoints: history.points().x.length };
}

async function pageSoak(): Promise<Row> {
  const dist = mkdtempSync(join(tmpdir(), 'icl-lab-soak-'));
  try {
    execFileSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit' });
    process.env.E2E_DIST = dist;
    // The browser tests' helpers (plain JS): server, launch, page polling.
    const libPath = '../e2e/lib.mjs';
    const lib = await import(libPath);
    const { server, origin } = await lib.startServer();
    try {
      const context = await lib.launch({ webgpu: true });
      const { page, problems } = await lib.open(context, origin, QUERY);
      await lib.waitForLab(page, (s: { status: string }) => s.status === 'ready');
      const cdp = await context.newCDPSession(page);
      const heap = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        return (await cdp.send('Runtime.getHeapUsage')).usedSize;
      };
      await page.click('button[data-action="train"]');
      await lib.waitForLab(page, (s: { step: number }) => s.step >= WARMUP, undefined, 60_000);
      const first = await lib.snapshot(page);
      const heapStart = await heap();
      const t0 = performance.now();
      // The GPU reading at the end of training: the last readbacks, before the evaluation allocates.
      const late = await lib.waitForLab(page, (s: { step: number }, n: number) => s.step >= n, Math.floor(STEPS * 0.97), 30 * 60_000);
      const heapLate = await heap();
      const last = await lib.waitForLab(page, (s: { status: string }) => s.status === 'done', undefined, 30 * 60_000);
      const seconds = (performance.now() - t0) / 1000;
      const heapEnd = await heap();
      if (problems.length > 0) throw new Error(`the page reported problems: ${problems.join('; ')}`);
      const row: Row = {
        where: 'page (headless Chromium)',
        adapter: String((await page.getByTestId('adapter').innerText()).replace(/^GPU\s*/, '')),
        steps: STEPS,
        seconds,
        heapStart,
        heapLate,
        heapEnd,
        gpuStart: first.gpuBuffers,
        gpuEnd: late.gpuBuffers,
        gpuAfterEval: last.gpuBuffers,
        historyPoints: last.lossHistoryPoints,
      };
      await lib.closeAll();
      return row;
    } finally {
      server.close();
    }
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}

function table(rows: Row[]): string {
  const lines = [
    '| where | adapter | steps | time | JS heap at step 1,000 | at the end of training | after the evaluation | GPU buffers at step 1,000 | GPU buffers at the end of training | after the evaluation | loss history points |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.where} | ${r.adapter} | ${r.steps.toLocaleString('en-US')} | ${r.seconds.toFixed(0)} s | ${mb(r.heapStart)} MiB | ${mb(r.heapLate)} MiB | ${mb(r.heapEnd)} MiB | ${r.gpuStart.count} (${mb(r.gpuStart.bytes)} MiB) | ${r.gpuEnd.count} (${mb(r.gpuEnd.bytes)} MiB) | ${r.gpuAfterEval.count} (${mb(r.gpuAfterEval.bytes)} MiB) | ${r.historyPoints} |`,
    );
  return lines.join('\n');
}

const rows: Row[] = [];
rows.push(await runnerSoak());
console.log(table(rows));
if (!values['no-page']) {
  rows.push(await pageSoak());
  console.log(table(rows.slice(-1)).split('\n').slice(2).join('\n'));
}
const { spec } = decodeSpec(QUERY);
if (!values['no-write']) {
  const md = `# Soak run

\`npm run soak\` trains ${STEPS.toLocaleString('en-US')} steps of \`?${encodeSpec(spec)}\` in the runner and in the page and reports memory at step 1,000 (after warm-up) and at the end: the JS heap and the GPU buffers at the end of training (the page: at 97% of the steps, while it still trains) and again after the end-of-run evaluation, which allocates its own buffers once and whose results (test MSEs, identification, length curves, their plots) the page keeps. The runner destroys its trainer when it returns, so it holds no GPU buffers after the evaluation. JS heap is measured after a forced garbage collection (Node: \`process.memoryUsage().heapUsed\`; the page: \`Runtime.getHeapUsage\` over the DevTools protocol); GPU buffers are the buffers the lab has created on its device and not destroyed (src/gpu/bufferAccounting.ts). The runner's history is the page's bounded LossHistory fed every readback.

Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores. Date: ${new Date().toISOString().slice(0, 10)}.

${table(rows)}
`;
  writeFileSync(join(process.cwd(), 'docs', 'soak.md'), md);
  console.log('wrote docs/soak.md');
}
process.exit(0);
