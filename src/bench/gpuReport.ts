// The GPU benchmark's report (npm run bench:gpu): the goals, then one section
// per measurement, each drawn both as a terminal table and as Markdown for
// docs/benchmarks-gpu.md. A new measurement (the batched runs, when they
// exist) is one more entry of SECTIONS with its goal row.
import { markdownReport, tableLines } from './report.ts';
import type { BenchResult } from './run.ts';
import { PAPER_STEPS, type PaperRunResult } from './paperRun.ts';
import type { Estimate } from '../engine/stats.ts';
import { passesVerdict, type PassesResult } from './shaderPasses.ts';
import { kernelsVerdict, type KernelsResult } from './softmaxKernels.ts';
import { HEADS_KERNEL_FLOATS } from '../models/softmax.ts';
import type { BatchedRow } from './batched.ts';

export interface GridSection {
  results: BenchResult[];
  planned: number;
  seconds: number;
  budgetSeconds: number;
  /** Configurations the budget left out, in grid order. */
  skipped: string[];
}

export interface GpuBenchReport {
  adapter: string;
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string; node: string };
  /** The flags the benchmark ran with. */
  args: string;
  /** Null where the section was not run. */
  grid: GridSection | null;
  paper: PaperRunResult | null;
  /** The shader passes with and without (absent in reports from before the section). */
  passes?: PassesResult[] | null;
  /** The softmax kernels against each other (absent in reports from before the section). */
  kernels?: KernelsResult[] | null;
  /** Batched runs over R (absent where not run). */
  batched?: BatchedRow[] | null;
}

/** The configuration the batched-runs goal is read on: He et al.'s softmax H = 2. */
export const BATCH_GOAL_ID = 'softmax d=5 n=40 B=256 H=2';
export const BATCH_GOAL = { runs: 64, steps: 20_000, seconds: 60 };

export interface Table {
  head: string[];
  rows: string[][];
}

interface Goal {
  goal: string;
  target: string;
  measured: string;
  status: string;
}

interface Section {
  title: string;
  goal?: Goal;
  /** Lines above the table. */
  notes: string[];
  /** The terminal's lines (a table, or notes alone). */
  text: string[];
  /** The Markdown table, when there is one. */
  markdown: string[];
}

export const textTable = (t: Table): string[] => {
  const all = [t.head, ...t.rows];
  const widths = t.head.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  return all.map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd());
};
export const markdownTable = (t: Table): string[] => [`| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)];

const est = (e: Estimate | undefined) => (e ? `${e.mean.toPrecision(4)} ± ${e.stderr.toPrecision(2)}` : '—');
const secs = (s: number) => `${s.toFixed(s < 10 ? 2 : 1)} s`;
const int = (n: number) => n.toLocaleString('en-US');

/** He et al.'s 500,000 steps in under 60 s, measured or projected from the steps that ran. */
function paperSection(r: GpuBenchReport): Section {
  const p = r.paper;
  const goal: Goal = { goal: "He et al.'s paper run", target: `${int(PAPER_STEPS)} steps in under 60 s`, measured: 'not run', status: '—' };
  if (!p) return { title: "He et al.'s paper run", goal, notes: ['Not run (--no-paper).'], text: [], markdown: [] };
  const whole = !p.stopped && p.stepsDone >= PAPER_STEPS;
  const projected = p.stepsPerSecond > 0 ? PAPER_STEPS / p.stepsPerSecond : Infinity;
  goal.measured = whole ? secs(p.trainSeconds) : `${secs(projected)} projected from ${int(p.stepsDone)} steps`;
  goal.status = `${whole ? '' : 'projected '}${(whole ? p.trainSeconds : projected) < 60 ? '✓' : '✗'}`;
  const table: Table = {
    head: ['preset', 'steps', 'training', 'steps/s', 'evaluation', 'test MSE model', 'one-step GD', 'model − GD', 'learned'],
    rows: [
      [
        p.presetId,
        `${int(p.stepsDone)} of ${int(p.stepsPlanned)}${p.stopped ? ` (stopped by the ${p.budgetSeconds} s budget)` : ''}`,
        secs(p.trainSeconds),
        p.stepsPerSecond.toFixed(0),
        p.evalSeconds === null ? '—' : secs(p.evalSeconds),
        est(p.test?.model),
        p.test ? `${est(p.test.oneStepGd)} (η = ${p.test.oneStepEta.toPrecision(4)})` : '—',
        est(p.test?.modelMinusGd),
        p.identification ?? '—',
      ],
    ],
  };
  const notes = [
    "The runner's runExperiment on He et al.'s recipe" +
      ` (preset ${p.presetId}, ${p.chunkSteps} steps per submission), training time as the runner reports it; the evaluation` +
      (p.test ? ` on ${int(p.test.prompts)} fresh prompts at n = ${p.test.nCtx}` : '') +
      ' (test MSEs, He et al.\'s reduced predictor, the length curve) follows it.',
    `Link: ?${p.share}`,
  ];
  return { title: "He et al.'s paper run", goal, notes, text: textTable(table), markdown: markdownTable(table) };
}

/** Many runs of one shape in one set of dispatches: the goal read at R = 64 on He et al.'s configuration. */
function batchedSection(r: GpuBenchReport): Section {
  const title = 'Batched runs';
  const goal: Goal = {
    goal: 'Batched runs',
    target: `${BATCH_GOAL.runs} runs of ${int(BATCH_GOAL.steps)} steps in under ${BATCH_GOAL.seconds} s`,
    measured: 'not run',
    status: '—',
  };
  const rows = r.batched ?? [];
  if (!rows.length) return { title, goal, notes: ['Not run (--no-batched).'], text: [], markdown: [] };
  const at = rows.find((x) => x.id === BATCH_GOAL_ID && x.runs === BATCH_GOAL.runs);
  if (at) {
    const projected = BATCH_GOAL.steps / at.stepsPerSecond;
    goal.measured = `${secs(projected)} projected from ${int(at.steps)} steps (${BATCH_GOAL_ID})`;
    goal.status = `projected ${projected < BATCH_GOAL.seconds ? '✓' : '✗'}`;
  }
  const solo = (x: BatchedRow) => rows.find((y) => y.id === x.id && y.runs === 1);
  const table: Table = {
    head: ['configuration', 'R', 'steps/s per run', 'run-steps/s', 'vs R = 1', 'dispatches per run-step', 'submissions per run-step', 'build'],
    rows: rows.map((x) => {
      const one = solo(x);
      return [
        x.id,
        String(x.runs),
        x.stepsPerSecond.toFixed(0),
        x.runStepsPerSecond.toFixed(0),
        one ? `${(x.runStepsPerSecond / one.runStepsPerSecond).toFixed(2)}×` : '—',
        x.dispatchesPerRunStep.toFixed(3),
        x.submitsPerRunStep.toFixed(5),
        `${x.createMs.toFixed(0)} ms`,
      ];
    }),
  };
  const notes = [
    'R runs of one shape (seeds 1 … R) trained by one BatchTrainer (src/engine/batchTrainer.ts): each kernel of a step is one dispatch for all R runs, each run bit for bit its solo run. ' +
      '"vs R = 1" is the run-steps per second over a single run\'s; the goal is projected from the steps per second of each run at R = 64.',
  ];
  return { title, goal, notes, text: textTable(table), markdown: markdownTable(table) };
}

/** A training kernel's build time; none was measured where an earlier section had built the same kernel (the pipeline cache served it). */
const buildMs = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'cached');

/** The source-level shader passes on and off: build time, kernel size, steps/s, and which pays. */
function passesSection(r: GpuBenchReport): Section {
  const title = 'Shader passes (unrolling, scalarization)';
  if (!r.passes?.length) return { title, notes: ['Not run (--no-passes).'], text: [], markdown: [] };
  const sps = (x: { median: number; min: number; max: number }) => `${x.median.toFixed(0)} [${x.min.toFixed(0)}, ${x.max.toFixed(0)}]`;
  const table: Table = {
    head: ['configuration', 'steps/s on', 'steps/s off', 'on/off', 'train kernel on', 'off', 'build on', 'off', 'pays'],
    rows: r.passes.map((p) => [
      p.id,
      sps(p.on.stepsPerSecond),
      sps(p.off.stepsPerSecond),
      (p.on.stepsPerSecond.median / p.off.stepsPerSecond.median).toFixed(2),
      `${int(p.on.trainChars)} chars`,
      `${int(p.off.trainChars)} chars`,
      buildMs(p.on.trainBuildMs),
      buildMs(p.off.trainBuildMs),
      { on: 'on', off: 'off', tie: 'neither (within the spread)' }[passesVerdict(p)],
    ]),
  };
  const notes = [
    'The engine unrolls marked loops and turns constant-indexed private arrays into scalars at the WGSL source level (src/engine/unroll.ts, scalarize.ts), for CPU-emulated GPUs whose JIT does neither. ' +
      'Each configuration is built and timed without them, then with them; "pays" is the side whose slowest run beats the other\'s fastest. ' +
      'Where a hardware adapter shows no gain, the engine can build its kernels without them (TrainerOptions.shaderPasses).',
  ];
  return { title, notes, text: textTable(table), markdown: markdownTable(table) };
}

/** The softmax training kernels side by side: which is faster at each shape, and whether the engine's pick agrees. */
function kernelsSection(r: GpuBenchReport): Section {
  const title = 'Softmax kernels: one thread a prompt, or its heads across threads';
  if (!r.kernels?.length) return { title, notes: ['Not run (--no-kernels).'], text: [], markdown: [] };
  const sps = (x: { median: number; min: number; max: number }) => `${x.median.toFixed(1)} [${x.min.toFixed(1)}, ${x.max.toFixed(1)}]`;
  const table: Table = {
    head: ['configuration', 'numbers a thread', 'steps/s one thread', 'steps/s heads', 'heads/thread', 'build one thread', 'heads', 'faster', 'engine picks'],
    rows: r.kernels.map((k) => {
      const v = kernelsVerdict(k);
      return [
        k.id,
        int(k.threadFloats),
        sps(k.thread.stepsPerSecond),
        sps(k.heads.stepsPerSecond),
        (k.heads.stepsPerSecond.median / k.thread.stepsPerSecond.median).toFixed(2),
        buildMs(k.thread.trainBuildMs),
        buildMs(k.heads.trainBuildMs),
        { thread: 'one thread', heads: 'heads', tie: 'neither (within the spread)' }[v.faster],
        `${k.chosen === 'heads' ? 'heads' : 'one thread'}${v.agrees ? '' : ' ✗'}`,
      ];
    }),
  };
  const notes = [
    'softmax_train.wgsl runs a prompt on one thread that holds every head\'s sums ("numbers a thread"); softmax_train_heads.wgsl gives each head of a prompt a thread of its own and samples the context into workgroup memory a tile at a time. ' +
      `Both write the same per-prompt rows. The engine takes the heads kernel where one thread would hold over ${int(HEADS_KERNEL_FLOATS)} numbers (softmaxKernelOf); ✗ marks a shape where the other kernel is faster by more than the spread, i.e. where that threshold should move.`,
  ];
  return { title, notes, text: textTable(table), markdown: markdownTable(table) };
}

function gridSection(r: GpuBenchReport): Section {
  const g = r.grid;
  if (!g) return { title: 'Benchmark grid', notes: ['Not run (--no-grid).'], text: [], markdown: [] };
  const status =
    `${g.results.length} of ${g.planned} configurations in ${secs(g.seconds)} (budget ${g.budgetSeconds} s)` +
    (g.skipped.length ? `; the budget left out ${g.skipped.length}: ${g.skipped.join(', ')}.` : '.');
  const notes = [
    "The grid of `npm run bench` (src/bench/grid.ts), in Node through Dawn only, with the same columns as docs/benchmarks.md.",
    status,
  ];
  if (!g.results.length) return { title: 'Benchmark grid', notes, text: [], markdown: [] };
  // The Node table exactly as docs/benchmarks.md draws it.
  const md = markdownReport({ machine: { ...r.machine, date: r.date }, node: g.results, browser: [] }).split('\n');
  const first = md.findIndex((l) => l.startsWith('| '));
  const end = md.findIndex((l, i) => i > first && !l.startsWith('|'));
  return { title: 'Benchmark grid', notes, text: tableLines(g.results, 'Node (Dawn)').slice(1), markdown: md.slice(first, end) };
}

const SECTIONS: ((r: GpuBenchReport) => Section)[] = [paperSection, batchedSection, passesSection, kernelsSection, gridSection];

function goalsTable(sections: Section[]): Table {
  return { head: ['goal', 'target', 'measured', 'met'], rows: sections.flatMap((s) => (s.goal ? [[s.goal.goal, s.goal.target, s.goal.measured, s.goal.status]] : [])) };
}

export const isSwiftShader = (adapter: string) => /swiftshader/i.test(adapter);

/** What the terminal shows at the end: the goals, then each section. */
export function gpuTextReport(r: GpuBenchReport): string {
  const sections = SECTIONS.map((s) => s(r));
  const out = [`GPU benchmark on ${r.adapter} (${r.date.slice(0, 10)})`, '', ...textTable(goalsTable(sections))];
  for (const s of sections) out.push('', `${s.title}:`, ...s.notes.filter((n) => !n.startsWith('Link:')), ...s.text);
  return out.join('\n') + '\n';
}

export function gpuMarkdownReport(r: GpuBenchReport): string {
  const sections = SECTIONS.map((s) => s(r));
  const m = r.machine;
  const lines = [
    '# GPU benchmarks',
    '',
    `Generated by \`npm run bench:gpu\` on ${r.date.slice(0, 10)} (${r.args || 'default flags'}).`,
    '',
    `Adapter: **${r.adapter}**. Host: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}.`,
    '',
  ];
  if (isSwiftShader(r.adapter))
    lines.push(
      '**These are SwiftShader figures, not a GPU\'s.** No GPU figures are recorded yet: this file comes from a check of the',
      'script on SwiftShader (Chromium\'s CPU implementation of Vulkan) with shrunk flags. Running it on a machine with a GPU',
      '(below) replaces it.',
      '',
    );
  lines.push('## Goals', '', ...markdownTable(goalsTable(sections)), '');
  for (const s of sections) lines.push(`## ${s.title}`, '', ...s.notes.flatMap((n) => [n, '']), ...(s.markdown.length ? [...s.markdown, ''] : []));
  lines.push(
    '## How to run',
    '',
    'On a machine with the npm registry and apt, pack what a bare x86-64 Linux GPU machine lacks (a Node binary, Dawn,',
    'the benchmark bundled into one file, the Vulkan and EGL loaders) into `.gpu-bench/`; carry that folder with the',
    'repository to the GPU machine and run the benchmark there from the repository root:',
    '',
    '```sh',
    'npm run bench:gpu -- pack          # writes .gpu-bench/',
    'bash scripts/gpu-bench/run.sh      # on the GPU machine: prints the tables, writes docs/benchmarks-gpu.md',
    '```',
    '',
    'Each section has a time budget (`--grid-budget-s`, `--paper-budget-s`, within `--budget-s` for the whole run; the',
    'defaults keep it within 8 minutes on a GPU); `--quick --paper-steps 2000` shrinks it for a check on SwiftShader.',
    'See scripts/bench-gpu.ts for the flags and scripts/gpu-bench/run.sh for the environment it sets up.',
    '',
  );
  return lines.join('\n');
}
