// The GPU benchmark's report: the goals from each section, budget-stopped
// sections saying how far they got, and the batched-runs section marked as
// not measured yet.
import { describe, expect, it } from 'vitest';
import { gpuMarkdownReport, gpuTextReport, type GpuBenchReport } from '../src/bench/gpuReport.ts';
import type { BenchResult } from '../src/bench/run.ts';
import type { PaperRunResult } from '../src/bench/paperRun.ts';

const row = (id: string, stepsPerSecond: number): BenchResult => ({
  id,
  query: 'model=lsa&d=5&n=20&B=256',
  adapter: 'nvidia hopper NVIDIA H100',
  runs: 3,
  stepsPerRun: 300,
  stepsPerSecond: { median: stepsPerSecond, min: stepsPerSecond * 0.9, max: stepsPerSecond * 1.1 },
  msPerStep: 1000 / stepsPerSecond,
  flopsPerStep: 2.94e5,
  gflops: (2.94e5 * stepsPerSecond) / 1e9,
  normalsPerStep: 26_000,
  dispatchesPerStep: 2,
  passesPerStep: 0.01,
  bytesReadBackPerStep: 7,
  floorMsPerStep: 0.05,
  floorRatio: 1.2,
  floorTarget: true,
  work: 5120,
  cpu: { float64: 40, float32: 50, promptsTimed: 256 },
  gpuOverCpu: stepsPerSecond / 50,
});

const paper = (p: Partial<PaperRunResult>): PaperRunResult => ({
  presetId: 'he-h2',
  share: 'v=1&model=softmax&H=2',
  chunkSteps: 100,
  stepsPlanned: 500_000,
  stepsDone: 500_000,
  stopped: false,
  budgetSeconds: 120,
  trainSeconds: 50,
  stepsPerSecond: 10_000,
  evalSeconds: 3,
  test: { prompts: 65536, nCtx: 40, model: { mean: 0.2, stderr: 0.001 }, oneStepGd: { mean: 0.24, stderr: 0.001 }, oneStepEta: 0.86, modelMinusGd: { mean: -0.04, stderr: 0.001 } },
  identification: 'debiased GD',
  ...p,
});

const report = (r: Partial<GpuBenchReport>): GpuBenchReport => ({
  adapter: 'nvidia hopper NVIDIA H100',
  date: '2026-12-07T00:00:00.000Z',
  machine: { cpu: 'x86-64', cores: 16, memoryGiB: 128, platform: 'Linux', node: 'v22.23.5' },
  args: '',
  grid: { results: [row('lsa d=5 n=20 B=256', 20_000)], planned: 3, seconds: 140, budgetSeconds: 150, skipped: ['b', 'c'] },
  paper: paper({}),
  ...r,
});

describe('GPU benchmark report', () => {
  it('meets the paper goal from a whole run and says where the batched runs were not run', () => {
    const md = gpuMarkdownReport(report({}));
    expect(md).toContain("| He et al.'s paper run | 500,000 steps in under 60 s | 50.0 s | ✓ |");
    expect(md).toContain('| Batched runs | 64 runs of 20,000 steps in under 60 s | not run | — |');
    expect(md).toMatch(/## Batched runs\n\nNot run \(--no-batched\)/);
    expect(md).toContain('1 of 3 configurations in 140.0 s (budget 150 s); the budget left out 2: b, c.');
    expect(md).toContain('| lsa d=5 n=20 B=256 | 20000 [18000, 22000] |');
    expect(md).not.toContain('SwiftShader figures');
  });

  it('projects the paper goal from a run the budget stopped', () => {
    const r = report({ paper: paper({ stopped: true, stepsDone: 100_000, trainSeconds: 120, stepsPerSecond: 100_000 / 120, evalSeconds: null, test: null, identification: null }) });
    const text = gpuTextReport(r);
    expect(text).toContain('600.0 s projected from 100,000 steps');
    expect(text).toContain('projected ✗');
    expect(text).toContain('100,000 of 500,000 (stopped by the 120 s budget)');
  });

  it('labels SwiftShader figures as not a GPU\'s', () => {
    const md = gpuMarkdownReport(report({ adapter: 'google swiftshader swiftshader-device-subzero- SwiftShader driver 5.0.0', grid: null }));
    expect(md).toContain("These are SwiftShader figures, not a GPU's.");
    expect(md).toContain('Not run (--no-grid).');
  });

  it('draws the shader passes on and off and names the side that pays, or neither within the spread', () => {
    const sp = (median: number) => ({ median, min: median * 0.95, max: median * 1.05 });
    const side = (median: number, chars: number, ms: number) => ({ createMs: ms + 5, trainBuildMs: ms, trainChars: chars, stepsPerSecond: sp(median) });
    const md = gpuMarkdownReport(
      report({
        passes: [
          { id: 'lsa d=5 n=20 B=256', on: side(1700, 18778, 114), off: side(480, 12864, 262) },
          { id: 'softmax d=5 n=40 B=256 H=2', on: side(20000, 28232, 40), off: side(20500, 15226, 30) },
          { id: 'lsa d=20 n=20 B=256', on: side(9000, 40000, 80), off: side(12000, 20000, 50) },
        ],
      }),
    );
    expect(md).toContain('## Shader passes (unrolling, scalarization)');
    expect(md).toContain('| lsa d=5 n=20 B=256 | 1700 [1615, 1785] | 480 [456, 504] | 3.54 | 18,778 chars | 12,864 chars | 114 ms | 262 ms | on |');
    expect(md).toMatch(/\| softmax d=5 n=40 B=256 H=2 \|.*\| neither \(within the spread\) \|/);
    expect(md).toMatch(/\| lsa d=20 n=20 B=256 \|.*\| off \|/);
    expect(gpuMarkdownReport(report({ passes: null }))).toContain('Not run (--no-passes).');
  });

  it('draws the softmax kernels side by side, marking a shape where the engine picks the slower one', () => {
    const sp = (median: number) => ({ median, min: median * 0.95, max: median * 1.05 });
    const side = (median: number) => ({ createMs: 50, trainBuildMs: 40, trainChars: 1000, stepsPerSecond: sp(median) });
    const md = gpuMarkdownReport(
      report({
        kernels: [
          { id: 'softmax d=5 n=40 B=256 H=2', threadFloats: 77, chosen: 'thread', thread: side(2000), heads: side(1500) },
          { id: 'softmax d=20 n=40 B=256 H=8', threadFloats: 779, chosen: 'thread', thread: side(300), heads: side(900) },
          { id: 'softmax d=64 n=40 B=64 H=16', threadFloats: 4467, chosen: 'heads', thread: { ...side(10), trainBuildMs: NaN }, heads: side(10.2) },
        ],
      }),
    );
    expect(md).toContain('## Softmax kernels: one thread a prompt, or its heads across threads');
    expect(md).toContain('| softmax d=5 n=40 B=256 H=2 | 77 | 2000.0 [1900.0, 2100.0] | 1500.0 [1425.0, 1575.0] | 0.75 | 40 ms | 40 ms | one thread | one thread |');
    expect(md).toMatch(/\| softmax d=20 n=40 B=256 H=8 \|.*\| 3\.00 \|.*\| heads \| one thread ✗ \|/);
    expect(md).toMatch(/\| softmax d=64 n=40 B=64 H=16 \|.*\| cached \| 40 ms \| neither \(within the spread\) \| heads \|/);
    expect(md).toContain('over 1,024 numbers');
    expect(gpuMarkdownReport(report({ kernels: null }))).toContain('Not run (--no-kernels).');
  });

  it('reads the batched goal at R = 64 on He et al.\'s configuration, with each R against one run', () => {
    const row = (runs: number, perRun: number) => ({
      id: 'softmax d=5 n=40 B=256 H=2',
      runs,
      steps: 1000,
      seconds: 1000 / perRun,
      stepsPerSecond: perRun,
      runStepsPerSecond: perRun * runs,
      dispatchesPerRunStep: 5 / runs,
      submitsPerRunStep: 0.01 / runs,
      createMs: 12,
    });
    const md = gpuMarkdownReport(report({ batched: [row(1, 2000), row(16, 1000), row(64, 500)] }));
    expect(md).toContain('| Batched runs | 64 runs of 20,000 steps in under 60 s | 40.0 s projected from 1,000 steps (softmax d=5 n=40 B=256 H=2) | projected ✓ |');
    expect(md).toContain('| softmax d=5 n=40 B=256 H=2 | 16 | 1000 | 16000 | 8.00× | 0.313 | 0.00063 | 12 ms |');
    const slow = gpuTextReport(report({ batched: [row(64, 100)] }));
    expect(slow).toContain('200.0 s projected from 1,000 steps');
    expect(slow).toContain('projected ✗');
  });
});
