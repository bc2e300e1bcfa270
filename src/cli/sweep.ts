// The runner's sweep and merge commands.
//   npm run lab -- sweep --spec <base> --vary H=1,2,4,8 [--vary n=lin(10,100,10)] [--seeds 3]
//                        [--lengths 10,20,40,100] --out sweep.json [--shard i/N] [--csv runs.csv] [--svg fig.svg]
//   npm run lab -- merge shard1.json shard2.json … --out sweep.json [--csv runs.csv] [--svg fig.svg]
// A sweep's file is rewritten after every finished run, so a stopped sweep
// (a pre-empted cluster job) resumes from it: rerun the same command.
import { tuneSweep, tunedLossFigure, tunedTableMarkdown } from '../analysis/tuning.ts';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { nodeDevice } from '../gpu/node.ts';
import { decodeSweep, hasSweep, parseAxis, parseLengths, parseShard, runCount, sweepField, MAX_SEEDS, SWEEP_VERSION, checkSweep, type SweepSpec } from '../spec/sweep.ts';
import { SWEEP_PRESETS, type ExperimentSpec, type ParsedSpec } from '../spec/index.ts';
import { runSweep, type SweepProgress, type SweepRunRecord } from '../orchestration/sweep.ts';
import { batchedBackend } from '../orchestration/batchedBackend.ts';
import { buildSweepFile, mergeSweepFiles, readSweepFile, runTableCsv, SweepFileError, type SweepFile } from '../orchestration/sweepFile.ts';
import { sweepFigure } from '../analysis/sweepFigure.ts';
import { figureSvg } from '../export/figureSvg.ts';
import { metricLabel } from '../analysis/sweepPoints.ts';

type Fail = (message: string) => never;

/** Where the shard comes from when --shard is not given: a SLURM array task or a Kubernetes Indexed Job. */
export function shardFromEnv(env: NodeJS.ProcessEnv, shards: number | undefined): { shard: { index: number; count: number } | null; source: string | null; error?: string } {
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = Number(env.SLURM_ARRAY_TASK_ID);
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    const count = shards ?? Number(env.SLURM_ARRAY_TASK_COUNT);
    if (!Number.isInteger(id) || !Number.isInteger(min) || !Number.isInteger(count) || count < 1 || id - min < 0 || id - min >= count)
      return { shard: null, source: null, error: `SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID} (min ${env.SLURM_ARRAY_TASK_MIN ?? 0}, count ${env.SLURM_ARRAY_TASK_COUNT}) does not give a shard; use an array of consecutive ids or pass --shard i/N` };
    return { shard: { index: id - min + 1, count }, source: 'SLURM_ARRAY_TASK_ID' };
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const i = Number(env.JOB_COMPLETION_INDEX);
    if (shards === undefined) return { shard: null, source: null, error: 'JOB_COMPLETION_INDEX is set: give the number of shards with --shards N (the Job\'s completions)' };
    if (!Number.isInteger(i) || i < 0 || i >= shards) return { shard: null, source: null, error: `JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX} is not from 0 to ${shards - 1}` };
    return { shard: { index: i + 1, count: shards }, source: 'JOB_COMPLETION_INDEX' };
  }
  return { shard: null, source: null };
}

/** The sweep from --spec (a base experiment, or a whole sweep link) and the flags that add to it. */
function sweepFromArgs(
  values: { spec?: string; preset?: string; vary?: string[]; seeds?: string; lengths?: string },
  loadSpec: (arg: string) => ParsedSpec,
  fail: Fail,
): SweepSpec {
  if (values.preset !== undefined) {
    const p = SWEEP_PRESETS.find((x) => x.id === values.preset);
    if (!p) fail(`--preset ${JSON.stringify(values.preset)} is not a sweep preset (${SWEEP_PRESETS.map((x) => x.id).join(', ')})`);
    if (values.spec) fail('give --preset or --spec, not both');
    values = { ...values, spec: `v=1&${p!.query}` };
  }
  if (!values.spec) fail('--spec is required (the base experiment: a spec JSON file or a link), or --preset');
  let base: ExperimentSpec;
  let sweep: SweepSpec | null = null;
  const arg = values.spec!;
  if (!existsSync(arg) && hasSweep(arg)) {
    const parsed = decodeSweep(arg);
    if (parsed.errors.length > 0) fail(`the sweep link has problems:\n  ${parsed.errors.map((e) => e.message).join('\n  ')}`);
    sweep = parsed.sweep;
    base = parsed.sweep!.base;
  } else {
    const { spec, errors } = loadSpec(arg);
    if (errors.length > 0) fail(`the spec has problems:\n  ${errors.map((e) => e.message).join('\n  ')}`);
    base = spec;
  }
  const axes = sweep?.axes ?? [];
  if (values.vary && values.vary.length > 0) {
    axes.length = 0;
    for (const v of values.vary) {
      const r = parseAxis(v, '--vary');
      if (!r.ok) fail(r.message);
      if (axes.some((a) => a.field === r.axis.field)) fail(`--vary ${r.axis.field} is given twice`);
      axes.push(r.axis);
    }
  }
  if (axes.length === 0) fail('give a swept field: --vary H=1,2,4,8 (a list, lin(a,b,k) or log(a,b,k))');
  if (axes.length > 2) fail('a sweep varies at most two fields');
  let seeds = sweep?.seeds ?? 1;
  if (values.seeds !== undefined) {
    seeds = Number(values.seeds);
    if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS) fail(`--seeds must be an integer from 1 to ${MAX_SEEDS}, got ${values.seeds}`);
  }
  let lengths = sweep?.lengths ?? [];
  if (values.lengths !== undefined) {
    const r = parseLengths(values.lengths);
    if (!r.ok) fail(`--lengths: ${r.message}`);
    lengths = r.lengths;
  }
  const out: SweepSpec = { version: SWEEP_VERSION, base, axes, seeds, lengths, ...(sweep?.sourceDefaults ? { sourceDefaults: true } : {}) };
  const issues = checkSweep(out);
  if (issues.length > 0) fail(issues.map((i) => i.message).join('\n  '));
  return out;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

const fmtTime = (s: number) => (!Number.isFinite(s) ? '–' : s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

/** A progress bar on a terminal; plain lines (every finished run, and every 30 s) elsewhere. */
function progressReporter(total: { runs: number; steps: number }, label: string) {
  const t0 = performance.now();
  const tty = process.stderr.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: `${label} |{bar}| {percentage}% · runs {runs}/{runsTotal} · {rate} steps/s · {eta_t} left`, barsize: 30, hideCursor: true, stream: process.stderr, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total.steps, 0, { runs: 0, runsTotal: total.runs, rate: '–', eta_t: '–' });
  let startSteps: number | null = null;
  let lastLine = 0;
  let lastRuns = -1;
  return {
    update(p: SweepProgress) {
      startSteps ??= p.stepsDone;
      const secs = (performance.now() - t0) / 1000;
      const rate = secs > 0 ? (p.stepsDone - startSteps) / secs : 0;
      const left = rate > 0 ? (p.stepsTotal - p.stepsDone) / rate : NaN;
      if (bar) bar.update(p.stepsDone, { runs: p.runsDone, runsTotal: p.runsTotal, rate: rate > 0 ? rate.toFixed(0) : '–', eta_t: fmtTime(left) });
      else if (p.runsDone !== lastRuns || performance.now() - lastLine > 30_000) {
        lastRuns = p.runsDone;
        lastLine = performance.now();
        process.stderr.write(`${label}: runs ${p.runsDone}/${p.runsTotal}, steps ${p.stepsDone}/${p.stepsTotal} (${((100 * p.stepsDone) / Math.max(1, p.stepsTotal)).toFixed(0)}%), ${rate.toFixed(0)} steps/s, ${fmtTime(left)} left\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

function readFileArg(path: string, fail: Fail): SweepFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(`${path} could not be read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text!);
  } catch (e) {
    fail(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return readSweepFile(json, path);
  } catch (e) {
    if (e instanceof SweepFileError) fail(e.message);
    throw e;
  }
}

function figureOptions(values: { metric?: string; kind?: string }, fail: Fail): { metric?: string; kind?: 'field' | 'length' } {
  if (values.kind !== undefined && values.kind !== 'field' && values.kind !== 'length') fail(`--kind must be field or length, got ${JSON.stringify(values.kind)}`);
  return { ...(values.metric ? { metric: values.metric } : {}), ...(values.kind ? { kind: values.kind as 'field' | 'length' } : {}) };
}

function writeExtras(file: SweepFile, values: { out?: string; csv?: string; svg?: string; metric?: string; kind?: string }, fail: Fail): void {
  if (values.csv) writeFileSync(values.csv, runTableCsv(file));
  if (values.svg) writeFileSync(values.svg, figureSvg(sweepFigure(file, figureOptions(values, fail))));
}

/** npm run lab -- figure sweep.json --svg figure.svg [--metric M] [--kind field|length] [--csv runs.csv] */
export function figureCommand(rest: string[], fail: Fail): void {
  const { values, positionals } = parseArgs({
    args: rest,
    options: { svg: { type: 'string' }, csv: { type: 'string' }, metric: { type: 'string' }, kind: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) fail('give one sweep file: npm run lab -- figure sweep.json --svg figure.svg');
  if (!values.svg && !values.csv) fail('give --svg (the figure) and/or --csv (the run table)');
  const file = readFileArg(positionals[0], fail);
  if (values.metric && !file.points.some((p) => p.metrics[values.metric!]))
    fail(`--metric ${values.metric} is not measured in this sweep; it has ${[...new Set(file.points.flatMap((p) => Object.keys(p.metrics)))].join(', ')}`);
  writeExtras(file, values, fail);
}

/** npm run lab -- tune sweep.json [--over lr] [--by test.model] [--md table.md] [--svg losses.svg]: the best value of one swept field per value of the other, and their loss curves. */
export function tuneCommand(rest: string[], fail: Fail): void {
  const { values, positionals } = parseArgs({
    args: rest,
    options: { over: { type: 'string' }, by: { type: 'string' }, md: { type: 'string' }, svg: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) fail('give one sweep file: npm run lab -- tune sweep.json [--over lr] [--by test.model] [--md table.md]');
  const file = readFileArg(positionals[0], fail);
  const over = sweepField(values.over ?? 'lr');
  if (!over) fail(`--over ${values.over} is not a spec field`);
  const by = values.by ?? 'test.model';
  if (!file.points.some((p) => p.metrics[by])) fail(`--by ${by} is not measured in this sweep`);
  let table = '';
  try {
    const tuning = tuneSweep(file.sweep, file.points, over!.path, by);
    table = tunedTableMarkdown(tuning, { linkBase: '' });
    if (values.svg) writeFileSync(values.svg, figureSvg(tunedLossFigure(tuning, file.points, file.runs, file.share, file.sweep.axes)));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.md) writeFileSync(values.md, table);
  process.stdout.write(table);
}

/** One line per grid point: the main metric as mean ± SE over seeds, and what the runs were identified as. */
function pointSummary(file: SweepFile): string {
  const lines = [];
  for (const p of file.points) {
    const at = Object.entries(p.values).map(([k, v]) => `${k}=${v}`).join(' ');
    const m = p.metrics['test.model'];
    const est = m ? `${m.mean.toPrecision(5)}${m.stderr !== null ? ` ± ${m.stderr.toPrecision(2)}` : ''}` : '–';
    const extra = ['lsa.etaRatio', 'lsa.gammaRelError', 'softmax.zeroSum']
      .filter((k) => p.metrics[k])
      .map((k) => `${metricLabel(k)} ${p.metrics[k].mean.toPrecision(4)}`)
      .join(', ');
    const status = p.diverged + p.failed > 0 ? ` (${p.diverged} diverged, ${p.failed} failed)` : '';
    lines.push(`${at}: ${metricLabel('test.model')} ${est} over ${p.done} run${p.done === 1 ? '' : 's'}${status}${extra ? `, ${extra}` : ''}; identified as ${p.identifiedMode ?? '–'}`);
  }
  return lines.join('\n') + '\n';
}

export async function sweepCommand(rest: string[], loadSpec: (arg: string) => ParsedSpec, fail: Fail): Promise<void> {
  const { values } = parseArgs({
    args: rest,
    options: {
      spec: { type: 'string' },
      preset: { type: 'string' },
      vary: { type: 'string', multiple: true },
      seeds: { type: 'string' },
      lengths: { type: 'string' },
      out: { type: 'string' },
      shard: { type: 'string' },
      shards: { type: 'string' },
      csv: { type: 'string' },
      svg: { type: 'string' },
      metric: { type: 'string' },
      kind: { type: 'string' },
      chunk: { type: 'string' },
      fresh: { type: 'boolean' },
    },
    strict: true,
  });
  const sweep = sweepFromArgs(values, loadSpec, fail);
  if (!values.out) fail('--out is required (the sweep file; rewritten after every run, so a stopped sweep resumes from it)');
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1)) fail(`--shards must be a positive integer, got ${values.shards}`);
  let shard: { index: number; count: number } | null = null;
  if (values.shard !== undefined) {
    const r = parseShard(values.shard);
    if (!r.ok) fail(r.message);
    shard = r.shard;
  } else {
    const env = shardFromEnv(process.env, shards);
    if (env.error) fail(env.error);
    shard = env.shard;
    if (env.source) process.stderr.write(`shard ${shard!.index}/${shard!.count} from ${env.source}\n`);
  }
  const chunk = values.chunk === undefined ? 100 : Number(values.chunk);
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 1024) fail('--chunk must be an integer from 1 to 1024');
  let finished: SweepRunRecord[] = [];
  let prevTiming: Record<string, unknown> = {};
  const empty = buildSweepFile(sweep, [], { shard });
  if (existsSync(values.out!) && !values.fresh) {
    const prev = readFileArg(values.out!, fail);
    if (prev.share !== empty.share || JSON.stringify(prev.shard) !== JSON.stringify(shard))
      fail(`${values.out} holds another sweep or shard; pass --fresh to overwrite it, or choose another --out`);
    finished = prev.runs;
    prevTiming = prev.timing;
    if (finished.length > 0) process.stderr.write(`resuming: ${finished.length} run${finished.length > 1 ? 's' : ''} already in ${values.out}\n`);
  }
  const gpu = await nodeDevice();
  process.stderr.write(`adapter: ${gpu.description}\nsweep: ${runCount(sweep)} runs${shard ? `, shard ${shard.index}/${shard.count}` : ''}: ?${empty.share}\n`);
  const t0 = performance.now();
  // A resumed sweep's wall time adds to the earlier sessions'.
  const startedAt = typeof prevTiming.startedAt === 'string' ? prevTiming.startedAt : new Date().toISOString();
  const earlier = typeof prevTiming.wallSeconds === 'number' ? prevTiming.wallSeconds : 0;
  const sessions = (typeof prevTiming.sessions === 'number' ? prevTiming.sessions : 0) + 1;
  const records: SweepRunRecord[] = [...finished];
  const save = () => {
    const timing = { adapter: gpu.description, startedAt, wallSeconds: earlier + (performance.now() - t0) / 1000, sessions };
    const file = buildSweepFile(sweep, records, { shard, timing });
    writeAtomic(values.out!, JSON.stringify(file) + '\n');
    return file;
  };
  let stopping = false;
  process.once('SIGINT', () => {
    stopping = true;
    process.stderr.write('\nstopping after the submissions in flight; rerun the same command to resume\n');
  });
  const plansTotal = shard ? Math.ceil((runCount(sweep) - (shard.index - 1)) / shard.count) : runCount(sweep);
  const progress = progressReporter({ runs: plansTotal, steps: 0 }, 'sweep');
  let outcome;
  try {
    outcome = await runSweep(sweep, {
      backend: batchedBackend(gpu.device, gpu.description, { chunkSteps: chunk }),
      shard,
      finished,
      shouldStop: () => stopping,
      onProgress: (p) => progress.update(p),
      onRecord: (r) => {
        records.push(r);
        if (r.status !== 'done') process.stderr.write(`\nrun ${r.index} ${r.status}: ${r.message}\n`);
        save();
      },
    });
  } finally {
    progress.stop();
    gpu.close();
  }
  const file = save();
  writeExtras(file, values, fail);
  process.stderr.write(pointSummary(file));
  process.stderr.write(
    outcome.cancelled
      ? `stopped with ${outcome.records.length}/${plansTotal} runs in ${values.out}; rerun the same command to resume\n`
      : `done: ${outcome.records.length} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${values.out}\n`,
  );
  process.exit(outcome.cancelled ? 130 : 0);
}

export function mergeCommand(rest: string[], fail: Fail): void {
  const { values, positionals } = parseArgs({
    args: rest,
    options: { out: { type: 'string' }, csv: { type: 'string' }, svg: { type: 'string' }, metric: { type: 'string' }, kind: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) fail('give the shard files to merge: npm run lab -- merge shard1.json shard2.json … --out sweep.json');
  if (!values.out) fail('--out is required');
  const files = positionals.map((p) => ({ name: p, file: readFileArg(p, fail) }));
  let merged: SweepFile;
  try {
    merged = mergeSweepFiles(files);
  } catch (e) {
    if (e instanceof SweepFileError) fail(e.message);
    throw e;
  }
  writeAtomic(values.out!, JSON.stringify(merged) + '\n');
  writeExtras(merged, values, fail);
  process.stderr.write(pointSummary(merged));
  process.stderr.write(`merged ${files.length} file${files.length > 1 ? 's' : ''}, ${merged.runs.length} runs → ${values.out}\n`);
}
