// Trains the default experiment with the lab's engine (WGSL through Dawn in
// Node) and writes the compact example that the page shows when the browser
// has no WebGPU: src/ui/example/exampleResult.json.
//
//   npm run example [-- --spec <share link or query>] [--out file.json]
//
// Without --spec it runs the default spec (what the page opens with). Only
// one-output LSA specs are accepted: the example draws W_KQ and W_PV.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExperimentResult } from '../src/analysis/evaluation.ts';
import { runExperiment } from '../src/orchestration/run.ts';
import type { Estimate } from '../src/engine/stats.ts';
import { nodeDevice } from '../src/gpu/node.ts';
import { decodeSpec, defaultSpec, encodeSpec, type ExperimentSpec } from '../src/spec/index.ts';
import { heatmapLabels, tokenLabels } from '../src/ui/Heatmap.tsx';
import { EXAMPLE_FORMAT, EXAMPLE_FORMAT_VERSION, type ExampleEstimate, type ExampleResultData } from '../src/ui/example/types.ts';

const DEFAULT_OUT = new URL('../src/ui/example/exampleResult.json', import.meta.url);
/** Most points of the loss history kept (each a mean of consecutive steps). */
const MAX_LOSS_POINTS = 300;

/** x to `digits` significant digits (as a plain number). */
function sig(x: number, digits = 5): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

const est = (e: Estimate): ExampleEstimate => ({ mean: sig(e.mean), stderr: sig(e.stderr, 3) });
/** R² keeps its distance from 1 (the page prints 1 − 2e−6 where it rounds to 1). */
const r2 = (x: number) => (x > 0.9 && x < 1 ? 1 - sig(1 - x, 4) : sig(x, 6));

function compactExample(result: ExperimentResult, date: string): ExampleResultData {
  const { spec } = result;
  const d = spec.task.d;
  const theory = result.theory;
  if (!theory.available || theory.gdLoss === undefined || theory.etaStar === undefined || !theory.gammaStar || theory.pgdLoss === undefined)
    throw new Error(`the example needs the closed forms (identity response): ${theory.reason ?? 'not available'}`);
  const names = tokenLabels(d, 1);
  const matrices = ['W_KQ', 'W_PV'].map((name) => {
    const m = result.matrices[name];
    if (!m) throw new Error(`the result has no ${name}`);
    const labels = heatmapLabels(m, { rowNames: names, colNames: names });
    return { name, rows: m.rows, cols: m.cols, ...labels, data: m.data.map((v) => sig(v)), noGradient: m.noGradient, caption: m.caption };
  });
  const t = result.test;
  const rows: ExampleResultData['test']['rows'] = [
    { id: 'model', label: 'trained model', ...est(t.model) },
    { id: 'oneStepGd', label: 'one-step GD with η*', ...est(t.oneStepGd) },
  ];
  // With Σ = I, Γ* = η*·I: preconditioned GD is the same predictor, so it is listed only where it differs.
  if (t.preconditionedGd && t.preconditionedGd.mean !== t.oneStepGd.mean) rows.push({ id: 'preconditionedGd', label: 'preconditioned GD with Γ*', ...est(t.preconditionedGd) });
  if (t.debiasedGd) rows.push({ id: 'debiasedGd', label: 'debiased GD', ...est(t.debiasedGd) });
  for (const g of t.kStepGd ?? []) rows.push({ id: `gd${g.steps}`, label: `${g.steps}-step GD`, ...est(g) });
  rows.push({ id: 'ridge', label: 'Bayes-optimal ridge', ...est(t.ridge) });
  if (t.ols) rows.push({ id: 'ols', label: 'least squares', ...est(t.ols) });
  const lg = result.lengthGeneralization;
  const history = result.lossHistory;
  return {
    format: EXAMPLE_FORMAT,
    formatVersion: EXAMPLE_FORMAT_VERSION,
    date,
    adapter: result.adapter,
    spec,
    query: result.share,
    steps: result.steps,
    wallSeconds: sig(result.wallSeconds, 3),
    stepsPerSecond: sig(result.stepsPerSecond, 3),
    lossHistory: { bucket: history.step[0], step: history.step, loss: history.loss.map((v) => sig(v)) },
    lStar: theory.gdLoss,
    theory: { etaStar: theory.etaStar, gdLoss: theory.gdLoss, gammaStar: theory.gammaStar, pgdLoss: theory.pgdLoss },
    matrices,
    test: { prompts: t.prompts, nCtx: t.nCtx, rows },
    identification: {
      best: result.identification.best,
      label: result.identification.label,
      matches: result.identification.matches.map((m) => ({ predictor: m.predictor, label: m.label, r2: r2(m.r2) })),
    },
    lsa: result.lsa
      ? { etaEff: sig(result.lsa.etaEff), etaRatio: result.lsa.etaRatio !== undefined ? sig(result.lsa.etaRatio) : undefined, gammaRelError: result.lsa.gammaRelError !== undefined ? sig(result.lsa.gammaRelError, 3) : undefined }
      : undefined,
    lengthCurve: lg
      ? {
          prompts: lg.prompts,
          nCtx: lg.nCtx,
          model: lg.model.map(est),
          oneStepGd: lg.oneStepGd.map(est),
          debiasedGd: lg.debiasedGd.map(est),
          ridge: lg.ridge.map(est),
          ols: lg.ols.map((e) => (e ? est(e) : null)),
        }
      : undefined,
  };
}

/** Two-space JSON with arrays and objects of plain values on one line each: small, and still readable in a diff. */
function formatJson(value: unknown): string {
  const oneLine = (open: string, close: string) => (_: string, inner: string) => `${open}${inner.trim().split(/,\n\s*/).join(', ')}${close}`;
  return (
    JSON.stringify(value, null, 2)
      .replace(/\[\n([^[\]{}]*?)\n\s*\]/g, oneLine('[', ']'))
      .replace(/\{\n([^[\]{}]*?)\n\s*\}/g, oneLine('{ ', ' }')) + '\n'
  );
}

function checkSpec(spec: ExperimentSpec): void {
  if (spec.model.type !== 'lsa') throw new Error(`the example draws W_KQ and W_PV of an LSA model, not ${spec.model.type}`);
  if (spec.task.tasks !== 1) throw new Error('the example shows one output (k = 1)');
  if (spec.task.response !== 'identity') throw new Error('the example compares with the closed forms (identity response)');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--') argv.shift();
  const { values } = parseArgs({ args: argv, options: { spec: { type: 'string' }, out: { type: 'string' } }, strict: true });
  let spec = defaultSpec();
  if (values.spec) {
    const parsed = decodeSpec(values.spec);
    if (parsed.errors.length > 0) throw new Error(`the spec has problems: ${parsed.errors.map((e) => e.message).join('; ')}`);
    spec = parsed.spec;
  }
  checkSpec(spec);
  const gpu = await nodeDevice();
  process.stderr.write(`adapter: ${gpu.description}\nspec: ${encodeSpec(spec)}\n`);
  let last = 0;
  try {
    const result = await runExperiment(gpu.device, spec, {
      adapter: gpu.description,
      maxHistory: MAX_LOSS_POINTS,
      onProgress: (r) => {
        if (performance.now() - last < 2000) return;
        last = performance.now();
        process.stderr.write(`step ${r.step}/${spec.train.steps}\n`);
      },
    });
    const example = compactExample(result, new Date().toISOString().slice(0, 10));
    const text = formatJson(example);
    const out = values.out ?? DEFAULT_OUT;
    writeFileSync(out, text);
    process.stderr.write(
      `done: ${result.steps} steps in ${result.wallSeconds.toFixed(1)} s; ${example.lossHistory.step.length} loss points; ` +
        `behaves like ${example.identification.label}; wrote ${(text.length / 1024).toFixed(1)} KB to ${out instanceof URL ? out.pathname : out}\n`,
    );
  } finally {
    gpu.close();
  }
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
