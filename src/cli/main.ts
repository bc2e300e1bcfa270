// Headless runner: the lab's real WGSL through Dawn in Node.
//   npm run lab -- run --spec <spec.json | share URL> [--steps N] [--out result.json] [--chunk K] [--lengths L] [--timeline]
//   npm run lab -- sweep --spec <base> --vary H=1,2,4,8 [--seeds 3] --out sweep.json [--shard i/N]
//   npm run lab -- merge shard1.json shard2.json … --out sweep.json
// Writes the result JSON (format in README.md) to --out or stdout; progress to stderr.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeSpec, parseLengths, parseSpec, type ParsedSpec } from '../spec/index.ts';
import { figureCommand, mergeCommand, sweepCommand, tuneCommand } from './sweep.ts';
import { framesCommand } from './frames.ts';
import { nodeDevice } from '../gpu/node.ts';
import type { ExperimentResult } from '../analysis/evaluation.ts';
import { runExperiment } from '../orchestration/run.ts';

const USAGE = `usage:
  npm run lab -- run --spec <spec.json | share URL | query> [--steps N] [--out result.json] [--chunk K] [--lengths L] [--timeline]
  npm run lab -- sweep --spec <base> --vary <field>=<values> [--vary …] [--seeds S] [--lengths L]
                       --out sweep.json [--shard i/N | --shards N] [--csv runs.csv] [--svg figure.svg] [--metric M] [--fresh]
  npm run lab -- merge shard1.json shard2.json … --out sweep.json [--csv runs.csv] [--svg figure.svg] [--metric M]
  npm run lab -- figure sweep.json --svg figure.svg [--metric M] [--kind field|length] [--csv runs.csv]
  npm run lab -- tune sweep.json [--over lr] [--by test.model] [--md table.md] [--svg losses.svg]
  npm run lab -- frames result.json --out dir [--max N]   (a --timeline result's animation as SVG frames)
                       (each value of the other swept field at its best lr, and their loss curves)

  --spec    an experiment spec as a JSON file (missing fields take defaults),
            or a share link / its query string (v=1&d=5&...); for sweep, also a sweep link (…&sweep=H:1,2,4,8)
  --steps   train only the first N steps of the spec
  --out     write the result JSON here (default: stdout; required for sweep and merge)
  --chunk   steps per GPU submission and readback (default 100; fewer where one step's work is large)
  --lengths context lengths of the length curve, e.g. 10,20,40,100 or lin(10,100,10) (default 1 … 4n)
  --timeline keep the parameters at ~200 log-spaced steps in the result ("timeline": step[], params[][])
  --vary    a swept field by its link key or path, and its values: a list (H=1,2,4,8),
            a linear range (n=lin(10,100,10)) or a log range (kappa=log(1,1000,7)); at most two
  --seeds   replicates per grid point (default 1); replicate 0 keeps the spec's seeds
  --shard   run only shard i of N (runs i−1, i−1+N, …); without it, SLURM_ARRAY_TASK_ID or a
            Kubernetes JOB_COMPLETION_INDEX (with --shards N) picks the shard
  --csv     also write the run table as CSV
  --preset  a paper figure's sweep: he-heads-length, mahankali-eta-n, precond-kappa,
            task-diversity-lsa, task-diversity-softmax, optimizer-study-lsa, optimizer-study-he,
            optimizer-study-precond
  --svg     also write the figure as SVG (--metric picks its metric, default test.model;
            --kind length: test MSE against context length, the default when --lengths is given)
  --fresh   overwrite --out instead of resuming the sweep it holds`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function loadSpec(arg: string): ParsedSpec {
  if (existsSync(arg)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(arg, 'utf8'));
    } catch (e) {
      fail(`${arg} is not valid JSON: ${(e as Error).message}`);
    }
    // Accept a result file too: its spec is under "spec".
    const obj = json as Record<string, unknown>;
    return parseSpec(obj && typeof obj === 'object' && 'format' in obj && 'spec' in obj ? obj.spec : json);
  }
  if (arg.includes('=')) return decodeSpec(arg);
  fail(`--spec ${JSON.stringify(arg)} is neither a file nor a share link`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--') argv.shift();
  const [command, ...rest] = argv;
  if (command === 'sweep') return sweepCommand(rest, loadSpec, fail);
  if (command === 'merge') return mergeCommand(rest, fail);
  if (command === 'figure') return figureCommand(rest, fail);
  if (command === 'tune') return tuneCommand(rest, fail);
  if (command === 'frames') return framesCommand(rest, fail);
  if (command !== 'run') {
    process.stderr.write(USAGE + '\n');
    process.exit(command === undefined || command === 'help' || command === '--help' ? 0 : 2);
  }
  const { values } = parseArgs({
    args: rest,
    options: { spec: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' }, chunk: { type: 'string' }, lengths: { type: 'string' }, timeline: { type: 'boolean' } },
    strict: true,
  });
  if (!values.spec) fail('--spec is required\n' + USAGE);
  const { spec, errors } = loadSpec(values.spec);
  if (errors.length > 0) fail(`the spec has problems:\n  ${errors.map((e) => e.message).join('\n  ')}`);
  const steps = values.steps === undefined ? spec.train.steps : Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1) fail(`--steps must be a positive integer, got ${values.steps}`);
  if (steps > spec.train.steps) fail(`--steps ${steps} exceeds the spec's ${spec.train.steps} steps`);
  const chunk = values.chunk === undefined ? 100 : Number(values.chunk);
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 1024) fail(`--chunk must be an integer from 1 to 1024`);

  let lengths: number[] | undefined;
  if (values.lengths !== undefined) {
    const r = parseLengths(values.lengths);
    if (!r.ok) fail(`--lengths: ${r.message}`);
    lengths = r.lengths;
  }

  const gpu = await nodeDevice();
  process.stderr.write(`adapter: ${gpu.description}\n`);
  let lastPrint = 0;
  const t0 = performance.now();
  try {
    const result = await runExperiment(gpu.device, spec, {
      adapter: gpu.description,
      steps,
      chunkSteps: chunk,
      lengths,
      timeline: values.timeline,
      onProgress: (r) => {
        const now = performance.now();
        if (now - lastPrint < 1000 && r.step < steps) return;
        lastPrint = now;
        const rate = r.step / ((now - t0) / 1000);
        process.stderr.write(`step ${r.step}/${steps}  loss ${r.losses[r.losses.length - 1].toPrecision(5)}  ${rate.toFixed(0)} steps/s\n`);
      },
    });
    process.stderr.write(summary(result));
    const json = JSON.stringify(result, null, 1);
    if (values.out) writeFileSync(values.out, json + '\n');
    else process.stdout.write(json + '\n');
  } finally {
    gpu.close();
  }
  process.exit(0);
}

const est = (e: { mean: number; stderr: number }) => `${e.mean.toPrecision(5)} ± ${e.stderr.toPrecision(2)}`;

/** The human-readable summary printed to stderr: per output when there are several. */
function summary(result: ExperimentResult): string {
  const lines = [`done: ${result.steps} steps in ${result.wallSeconds.toFixed(2)} s, ${result.stepsPerSecond.toFixed(1)} steps/s on ${result.adapter}`];
  for (const [t, o] of result.outputs.entries()) {
    const tag = result.outputs.length > 1 ? `task ${t + 1} (x[${o.window[0]}:${o.window[1]}]) ` : '';
    const m = o.test;
    lines.push(
      `${tag}test MSE (${m.prompts} prompts, n = ${m.nCtx}): model ${est(m.model)}` +
        `, one-step GD (η = ${m.oneStepEta.toPrecision(5)}, ${m.oneStepSource}) ${est(m.oneStepGd)}` +
        (o.theory.gdLoss !== undefined ? ` (closed form ${o.theory.gdLoss.toPrecision(5)})` : '') +
        (m.preconditionedGd ? `, preconditioned GD ${est(m.preconditionedGd)}` : '') +
        (m.debiasedGd ? `, debiased GD ${est(m.debiasedGd)}` : '') +
        (m.kStepGd ?? []).map((g) => `, ${g.steps}-step GD ${est(g)}`).join('') +
        `, ridge ${est(m.ridge)}` +
        (m.ols ? `, least squares ${est(m.ols)}` : ''),
      `${tag}this model behaves like: ${o.identification.label} (${o.identification.matches.map((x) => `${x.label} R² ${x.r2.toFixed(4)}`).join(', ')})`,
    );
  }
  const lg = result.lengthGeneralization;
  lines.push(`length generalization: ${lg.nCtx.length} context lengths up to ${lg.nCtx.at(-1)} on ${lg.prompts} prompts each in ${(lg.seconds ?? 0).toFixed(2)} s`);
  const sm = result.softmax;
  if (sm) {
    lines.push(
      `softmax heads: ω = [${sm.omega.map((v) => v.toFixed(3)).join(', ')}], ` +
        sm.muByOutput.map((mu, t) => `μ${sm.muByOutput.length > 1 ? `(task ${t + 1})` : ''} = [${mu.map((v) => v.toFixed(3)).join(', ')}]`).join(', ') +
        `, zero-sum ${sm.zeroSum.toFixed(3)}, diagonal-homogeneity [${sm.heads.map((h) => h.diagonalHomogeneity.toFixed(3)).join(', ')}], ` +
        `last-entry-only [${sm.heads.map((h) => h.lastEntryOnly.toFixed(3)).join(', ')}], dormant [${sm.dormant.join(', ')}]`,
    );
    const r = sm.reduced;
    lines.push(
      r.available
        ? `reduced predictor (He et al.): approximate loss L̃ at the learned (ω, μ) ${r.learnedApproxLoss!.toPrecision(5)}, true loss there ${est(r.learnedMonteCarlo!)}; ` +
            `inf L̃ ${r.infimum!.toPrecision(5)} (${r.attained ? `attained at ω = ${r.optimum!.omega[0].toFixed(4)}, μ = ${r.optimum!.mu[0].toFixed(4)}` : 'approached as ω → 0 with zero-sum μ'}), one head ${r.singleHeadInfimum!.toPrecision(5)}`
        : `reduced predictor (He et al.): not compared — ${r.reason}`,
    );
  }
  const l = result.lsa;
  if (l)
    lines.push(
      `LSA: η_eff = ${l.etaEff.toPrecision(5)}${l.etaRatio !== undefined ? ` (η_eff/η* = ${l.etaRatio.toFixed(4)})` : ''}, x-block identity share ${l.xBlockIdentityShare.toFixed(4)}, Γ rel. error ${l.gammaRelError?.toFixed(4)}`,
    );
  return lines.join('\n') + '\n';
}

main().catch((e) => {
  // Expected failures (bad input, limits, divergence) get their message; anything else its stack too.
  const err = e as Error;
  const expected = err.name === 'ResourceLimitError' || err.name === 'RunDiverged' || /^(training diverged|invalid experiment spec)/.test(err.message);
  process.stderr.write(`error: ${expected ? err.message : (err.stack ?? err)}\n`);
  process.exit(1);
});
