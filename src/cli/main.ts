// Headless runner: the lab's real WGSL through Dawn in Node.
//   npm run lab -- run --spec <spec.json | share URL> [--steps N] [--out result.json] [--chunk K]
// Writes the result JSON (format in README.md) to --out or stdout; progress to stderr.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeSpec, parseSpec, type ParsedSpec } from '../spec/index.ts';
import { nodeDevice } from '../gpu/node.ts';
import { runExperiment } from '../engine/experiment.ts';

const USAGE = `usage: npm run lab -- run --spec <spec.json | share URL | query> [--steps N] [--out result.json] [--chunk K]

  --spec   an experiment spec as a JSON file (missing fields take defaults),
           or a share link / its query string (v=1&d=5&...)
  --steps  train only the first N steps of the spec
  --out    write the result JSON here (default: stdout)
  --chunk  steps per GPU submission and readback (default 100)`;

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
  if (command !== 'run') {
    process.stderr.write(USAGE + '\n');
    process.exit(command === undefined || command === 'help' || command === '--help' ? 0 : 2);
  }
  const { values } = parseArgs({
    args: rest,
    options: { spec: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' }, chunk: { type: 'string' } },
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

  const gpu = await nodeDevice();
  process.stderr.write(`adapter: ${gpu.description}\n`);
  let lastPrint = 0;
  const t0 = performance.now();
  try {
    const result = await runExperiment(gpu.device, spec, {
      adapter: gpu.description,
      steps,
      chunkSteps: chunk,
      onProgress: (r) => {
        const now = performance.now();
        if (now - lastPrint < 1000 && r.step < steps) return;
        lastPrint = now;
        const rate = r.step / ((now - t0) / 1000);
        process.stderr.write(`step ${r.step}/${steps}  loss ${r.losses[r.losses.length - 1].toPrecision(5)}  ${rate.toFixed(0)} steps/s\n`);
      },
    });
    const t = result.test;
    process.stderr.write(
      `done: ${result.steps} steps in ${result.wallSeconds.toFixed(2)} s, ${result.stepsPerSecond.toFixed(1)} steps/s on ${result.adapter}\n` +
        `test MSE (${t.prompts} prompts, n = ${t.nCtx}): model ${t.model.mean.toPrecision(5)} ± ${t.model.stderr.toPrecision(2)}` +
        `, one-step GD (η = ${t.oneStepEta.toPrecision(5)}, ${t.oneStepSource}) ${t.oneStepGd.mean.toPrecision(5)} ± ${t.oneStepGd.stderr.toPrecision(2)}` +
        (result.theory.gdLoss !== undefined ? ` (closed form ${result.theory.gdLoss.toPrecision(5)})` : '') +
        (t.preconditionedGd ? `, preconditioned GD ${t.preconditionedGd.mean.toPrecision(5)}` : '') +
        `, ridge ${t.ridge.mean.toPrecision(5)} ± ${t.ridge.stderr.toPrecision(2)}\n` +
        `this model behaves like: ${result.identification.label} (${result.identification.matches.map((m) => `${m.label} R² ${m.r2.toFixed(4)}`).join(', ')})\n` +
        `length generalization: ${result.lengthGeneralization.nCtx.length} context lengths up to ${result.lengthGeneralization.nCtx.at(-1)} on ${result.lengthGeneralization.prompts} prompts each in ${result.lengthGeneralization.seconds.toFixed(2)} s\n` +
        (result.softmax
          ? `softmax heads: ω = [${result.softmax.omega.map((v) => v.toFixed(3)).join(', ')}], μ = [${result.softmax.mu.map((v) => v.toFixed(3)).join(', ')}], ` +
            `zero-sum ${result.softmax.zeroSum.toFixed(3)}, diagonal-homogeneity [${result.softmax.heads.map((h) => h.diagonalHomogeneity.toFixed(3)).join(', ')}], ` +
            `last-entry-only [${result.softmax.heads.map((h) => h.lastEntryOnly.toFixed(3)).join(', ')}], dormant [${result.softmax.dormant.join(', ')}]\n`
          : '') +
        (result.lsa
          ? `LSA: η_eff = ${result.lsa.etaEff.toPrecision(5)}${result.lsa.etaRatio !== undefined ? ` (η_eff/η* = ${result.lsa.etaRatio.toFixed(4)})` : ''}, x-block identity share ${result.lsa.xBlockIdentityShare.toFixed(4)}, Γ rel. error ${result.lsa.gammaRelError?.toFixed(4)}\n`
          : ''),
    );
    const json = JSON.stringify(result, null, 1);
    if (values.out) writeFileSync(values.out, json + '\n');
    else process.stdout.write(json + '\n');
  } finally {
    gpu.close();
  }
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
