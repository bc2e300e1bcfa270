// npm run bench:gpu: the benchmark for a machine with a real GPU, in Node
// through Dawn only (no browser): the adapter, the benchmark grid, then He et
// al.'s paper run of 500,000 steps through the runner's runExperiment. Prints
// the goals and each section's table; writes docs/benchmarks-gpu.md. Every
// section has a time budget so the whole run ends within 8 minutes; a section
// whose budget runs out stops and its table says how far it got.
//
// Bundled into one file with Dawn and a Node binary beside it by
// scripts/gpu-bench/pack.sh; scripts/gpu-bench/run.sh runs that on the GPU
// machine. Here it also runs directly: npm run bench:gpu -- [flags].
//
//   --budget-s 420         the whole run; each section gets what is left, at most its own budget
//   --grid-budget-s 150    --paper-budget-s 120 (training; its evaluation follows)
//   --runs 3 --seconds 0.5 timed runs per grid configuration and seconds each
//   --only TEXT            grid configurations whose id contains TEXT
//   --quick                two grid configurations (LSA d=5 and He et al.'s softmax H=2), shorter runs
//   --paper-steps 500000   --paper-preset he-h2   --chunk 100 (steps per submission)
//   --passes-budget-s 60   the shader passes on and off (first, while the pipeline cache is cold)
//   --batched-budget-s 60  batched runs, R = 1, 4, 16, 64
//   --kernels-budget-s 45  the softmax kernels, one thread a prompt against heads across threads
//   --no-grid --no-paper --no-passes --no-batched --no-kernels --no-cpu (skip the grid's CPU timings)
//   --out docs/benchmarks-gpu.md   --json FILE (the raw report)   --no-write
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { nodeDevice } from '../src/gpu/node.ts';
import { BENCH_GRID } from '../src/bench/grid.ts';
import { benchCase, type BenchResult } from '../src/bench/run.ts';
import { PAPER_STEPS, paperRun } from '../src/bench/paperRun.ts';
import { gpuMarkdownReport, gpuTextReport, type GpuBenchReport, type GridSection } from '../src/bench/gpuReport.ts';
import { shaderPassesCase, type PassesResult } from '../src/bench/shaderPasses.ts';
import { BATCH_SIZES, batchedCase, type BatchedRow } from '../src/bench/batched.ts';
import { BATCH_GOAL_ID } from '../src/bench/gpuReport.ts';
import { KERNEL_CASES, softmaxKernelsCase, type KernelsResult } from '../src/bench/softmaxKernels.ts';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const { values } = parseArgs({
  args: argv,
  options: {
    'budget-s': { type: 'string', default: '420' },
    'grid-budget-s': { type: 'string', default: '150' },
    'paper-budget-s': { type: 'string', default: '120' },
    'passes-budget-s': { type: 'string', default: '60' },
    'batched-budget-s': { type: 'string', default: '60' },
    'kernels-budget-s': { type: 'string', default: '45' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'paper-steps': { type: 'string', default: String(PAPER_STEPS) },
    'paper-preset': { type: 'string', default: 'he-h2' },
    chunk: { type: 'string', default: '100' },
    'no-grid': { type: 'boolean', default: false },
    'no-paper': { type: 'boolean', default: false },
    'no-passes': { type: 'boolean', default: false },
    'no-batched': { type: 'boolean', default: false },
    'no-kernels': { type: 'boolean', default: false },
    'no-cpu': { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/benchmarks-gpu.md' },
    json: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const positive = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
  return n;
};
const budget = positive('budget-s', values['budget-s']);
const runs = Math.max(3, Math.round(positive('runs', values.runs)));
const secondsPerRun = positive('seconds', values.seconds ?? (values.quick ? '0.3' : '0.5'));
const paperSteps = Math.round(positive('paper-steps', values['paper-steps']));
const chunk = Math.round(positive('chunk', values.chunk));
// The evaluation after the paper run's training, and Dawn's shutdown.
const RESERVE_S = 30;
const QUICK_IDS = ['lsa d=5 n=20 B=256', 'softmax d=5 n=40 B=256 H=2'];
const cases = BENCH_GRID.filter((c) => (values.quick ? QUICK_IDS.includes(c.id) : true) && (!values.only || c.id.includes(values.only)));
const log = (s: string) => process.stderr.write(s + '\n');
const t0 = performance.now();
const left = () => budget - (performance.now() - t0) / 1000;

const gpu = await nodeDevice();
const info = gpu.adapter.info;
log(`adapter: ${gpu.description}`);
log(`  vendor ${info.vendor || '—'}, architecture ${info.architecture || '—'}, device ${info.device || '—'}, description ${info.description || '—'}`);

async function grid(): Promise<GridSection> {
  const own = positive('grid-budget-s', values['grid-budget-s']);
  const budgetSeconds = Math.max(0, Math.round(Math.min(own, left() - (values['no-paper'] ? 0 : positive('paper-budget-s', values['paper-budget-s'])) - RESERVE_S)));
  log(`grid: ${cases.length} configurations, budget ${budgetSeconds} s`);
  const start = performance.now();
  const results: BenchResult[] = [];
  let longest = 0;
  for (const [i, c] of cases.entries()) {
    const spent = (performance.now() - start) / 1000;
    // A configuration starts only if one as long as the longest so far still fits.
    if (spent + longest > budgetSeconds) {
      log(`grid: budget spent after ${results.length} of ${cases.length} configurations`);
      return { results, planned: cases.length, seconds: spent, budgetSeconds, skipped: cases.slice(i).map((x) => x.id) };
    }
    const c0 = performance.now();
    results.push(await benchCase(gpu.device, c, { adapter: gpu.description, runs, secondsPerRun, skipCpu: values['no-cpu'], log }));
    longest = Math.max(longest, (performance.now() - c0) / 1000);
  }
  return { results, planned: cases.length, seconds: (performance.now() - start) / 1000, budgetSeconds, skipped: [] };
}

// He et al.'s softmax, LSA at d = 5 and d = 20, and the large softmax case: small and large kernels.
const PASSES_IDS = ['softmax d=5 n=40 B=256 H=2', 'lsa d=5 n=20 B=256', 'lsa d=20 n=20 B=256', 'softmax d=32 n=512 B=1024 H=4'];

async function passes(): Promise<PassesResult[]> {
  const own = positive('passes-budget-s', values['passes-budget-s']);
  const list = BENCH_GRID.filter((c) => PASSES_IDS.slice(0, values.quick ? 2 : PASSES_IDS.length).includes(c.id));
  log(`shader passes: ${list.length} configurations, budget ${own} s`);
  const start = performance.now();
  const out: PassesResult[] = [];
  for (const c of list) {
    if ((performance.now() - start) / 1000 > own) break;
    out.push(await shaderPassesCase(gpu.device, c, { runs, secondsPerRun: Math.min(secondsPerRun, 0.3), log }));
  }
  return out;
}

// He et al.'s configuration (the goal's) and LSA at d = 5.
const BATCHED_IDS = [BATCH_GOAL_ID, 'lsa d=5 n=20 B=256'];

async function batched(): Promise<BatchedRow[]> {
  const own = positive('batched-budget-s', values['batched-budget-s']);
  log(`batched runs: R = ${BATCH_SIZES.join(', ')}, budget ${own} s`);
  const start = performance.now();
  const out: BatchedRow[] = [];
  // Each of the 2 × 4 cases gets an equal share of the budget for its timed part.
  const seconds = Math.max(0.3, Math.min(2, own / (BATCHED_IDS.length * BATCH_SIZES.length) / 2));
  for (const id of BATCHED_IDS) {
    const c = BENCH_GRID.find((x) => x.id === id)!;
    for (const R of BATCH_SIZES) {
      if ((performance.now() - start) / 1000 > own) return out;
      out.push(await batchedCase(gpu.device, c, R, { seconds, log }));
    }
  }
  return out;
}

async function kernels(): Promise<KernelsResult[]> {
  const own = positive('kernels-budget-s', values['kernels-budget-s']);
  const list = KERNEL_CASES.slice(0, values.quick ? 2 : KERNEL_CASES.length);
  log(`softmax kernels: ${list.length} configurations, budget ${own} s`);
  const start = performance.now();
  const out: KernelsResult[] = [];
  for (const c of list) {
    if ((performance.now() - start) / 1000 > own) break;
    out.push(await softmaxKernelsCase(gpu.device, c, { runs, secondsPerRun: Math.min(secondsPerRun, 0.3), log }));
  }
  return out;
}

let report: GpuBenchReport;
try {
  // First: the pipeline cache is still cold for these kernels.
  const passesSection = values['no-passes'] ? null : await passes();
  const batchedSection = values['no-batched'] ? null : await batched();
  const kernelsSection = values['no-kernels'] ? null : await kernels();
  const gridSection = values['no-grid'] ? null : await grid();
  let paper: GpuBenchReport['paper'] = null;
  if (!values['no-paper']) {
    const budgetSeconds = Math.max(1, Math.round(Math.min(positive('paper-budget-s', values['paper-budget-s']), left() - RESERVE_S)));
    log(`paper run: ${values['paper-preset']}, ${paperSteps} steps, budget ${budgetSeconds} s`);
    paper = await paperRun(gpu.device, { presetId: values['paper-preset']!, steps: paperSteps, chunkSteps: chunk, budgetSeconds, adapter: gpu.description, log });
  }
  report = {
    adapter: gpu.description,
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.type()} ${os.release()}`,
      node: process.version,
    },
    args: argv.join(' '),
    grid: gridSection,
    paper,
    passes: passesSection,
    batched: batchedSection,
    kernels: kernelsSection,
  };
} finally {
  gpu.close();
}
process.stdout.write('\n' + gpuTextReport(report));
log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (!values['no-write']) {
  for (const [file, text] of [
    [values.out!, gpuMarkdownReport(report)],
    ...(values.json ? [[values.json, JSON.stringify(report, null, 1) + '\n']] : []),
  ]) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    log(`wrote ${file}`);
  }
}
process.exit(0);
