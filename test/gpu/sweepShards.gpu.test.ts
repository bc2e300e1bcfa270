// The runner's sweep, sharded the way a cluster runs it: a small sweep
// unsharded and as --shard 1/3, 2/3, 3/3 through GNU parallel, merged, equal to
// the unsharded sweep in every number (the `timing` keys dropped). Also the
// shard picked from a SLURM array or a Kubernetes Indexed Job, and merge's
// refusals.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardFromEnv } from '../../src/cli/sweep.ts';
import { readSweepFile, withoutTiming } from '../../src/orchestration/sweepFile.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LAB = ['--import', join(ROOT, 'scripts/node-loader.mjs'), join(ROOT, 'src/cli/main.ts')];
const LINK = 'v=1&d=3&n=10&T=120&B=64&ep=1024&lr=0.01&sv=1&sweep=n:5,10&sweep=s2:0.1,0.5&seeds=2&lengths=5,10';

function lab(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [...LAB, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

const hasParallel = spawnSync('parallel', ['--version'], { encoding: 'utf8' }).status === 0;

describe('sharded sweeps', () => {
  it.runIf(hasParallel || process.env.CI)('merge three shards run through GNU parallel into the unsharded sweep, number for number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'icl-sweep-'));
    const whole = lab(['sweep', '--spec', LINK, '--out', join(dir, 'whole.json'), '--csv', join(dir, 'whole.csv')]);
    expect(whole.status, whole.stderr).toBe(0);
    // -q quotes the command for the shell, so the link's & stay inside one argument.
    execFileSync('parallel', ['-q', '-j2', '--halt', 'now,fail=1', process.execPath, ...LAB, 'sweep', '--spec', LINK, '--shard', '{}/3', '--out', join(dir, 'shard{}.json'), ':::', '1', '2', '3'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const shards = [1, 2, 3].map((i) => join(dir, `shard${i}.json`));
    for (const s of shards) expect(existsSync(s)).toBe(true);
    const merged = lab(['merge', shards[2], shards[0], shards[1], '--out', join(dir, 'merged.json'), '--csv', join(dir, 'merged.csv')]);
    expect(merged.status, merged.stderr).toBe(0);
    const a = readSweepFile(JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8')));
    const b = readSweepFile(JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')));
    expect(a.runs.length).toBe(8);
    expect(b.runs.map((r) => r.status)).toEqual(a.runs.map(() => 'done'));
    expect(withoutTiming(b)).toEqual(withoutTiming(a));
    expect(readFileSync(join(dir, 'merged.csv'), 'utf8')).toBe(readFileSync(join(dir, 'whole.csv'), 'utf8'));
    // Each shard held only its own runs.
    const s2 = readSweepFile(JSON.parse(readFileSync(shards[1], 'utf8')));
    expect(s2.shard).toEqual({ index: 2, count: 3 });
    expect(s2.runs.map((r) => r.index)).toEqual([1, 4, 7]);
    // A missing shard, a shard given twice, and a shard of another sweep are refused by name.
    const missing = lab(['merge', shards[0], shards[2], '--out', join(dir, 'm.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/shard 2\/3 is missing/);
    const twice = lab(['merge', shards[0], shards[0], shards[1], shards[2], '--out', join(dir, 'm.json')]);
    expect(twice.stderr).toMatch(/shard 1\/3 is given twice/);
    const mixed = lab(['merge', shards[0], join(dir, 'whole.json'), '--out', join(dir, 'm.json')]);
    expect(mixed.stderr).toMatch(/whole\.json is a whole sweep, not a shard/);
    // A rerun of a finished shard trains nothing and leaves the same numbers.
    const again = lab(['sweep', '--spec', LINK, '--shard', '2/3', '--out', shards[1]]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming: 3 runs already in/);
    expect(withoutTiming(readSweepFile(JSON.parse(readFileSync(shards[1], 'utf8'))))).toEqual(withoutTiming(s2));
  }, 300_000);

  it('takes the shard from a SLURM array task or a Kubernetes Indexed Job', () => {
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }, undefined)).toMatchObject({ shard: { index: 3, count: 4 }, source: 'SLURM_ARRAY_TASK_ID' });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '4' }, undefined).shard).toEqual({ index: 1, count: 4 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }, undefined).error).toMatch(/does not give a shard/);
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0' }, 5).shard).toEqual({ index: 1, count: 5 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '4' }, 5).shard).toEqual({ index: 5, count: 5 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '5' }, 5).error).toMatch(/not from 0 to 4/);
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '1' }, undefined).error).toMatch(/--shards N/);
    expect(shardFromEnv({}, undefined)).toEqual({ shard: null, source: null });
  });

  it('refuses a sweep past the budget with the numbers, before touching the GPU', () => {
    const r = lab(['sweep', '--spec', 'v=1&T=10000000&B=65536', '--vary', 'H=1,2,4,8', '--seeds', '32', '--out', join(tmpdir(), 'never.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the sweep asks for 8\.39e13 prompt-steps \(128 runs × 1\.00e7 steps × batch 65,536\); at most 1\.72e10 fit/);
    const bad = lab(['sweep', '--spec', 'v=1', '--vary', 'H=1,x', '--out', join(tmpdir(), 'never.json')]);
    expect(bad.stderr).toMatch(/--vary H: model\.heads = "x" is not a number/);
  });
});
