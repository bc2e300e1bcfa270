// The benchmark grid (one share-link query per configuration): LSA over
// d × n × batch, He et al.'s softmax configuration over H, one large case,
// and three of them again with each optimizer (its step's cost).
import { decodeSpec } from '../spec/codec.ts';
import type { ExperimentSpec } from '../spec/types.ts';

export interface BenchCase {
  id: string;
  query: string;
  /** Cases held to the 1.5× floor target. */
  floorTarget: boolean;
}

const lsa = (d: number, n: number, B: number): BenchCase => ({
  id: `lsa d=${d} n=${n} B=${B}`,
  query: `model=lsa&d=${d}&n=${n}&B=${B}`,
  floorTarget: d === 5,
});
const softmax = (H: number): BenchCase => ({
  id: `softmax d=5 n=40 B=256 H=${H}`,
  query: `model=softmax&init=default&d=5&n=40&B=256&H=${H}&tau2=0.2`,
  floorTarget: H === 2,
});

/** The optimizer's cost beside the model's: the same step with each optimizer (Adam is the grid's own). */
const withOptimizer = (c: BenchCase, label: string, query: string): BenchCase => ({ id: `${c.id} ${label}`, query: `${c.query}&lr=0.001&${query}`, floorTarget: false });
const OPTIMIZER_CASES: [string, string][] = [
  ['sgd', 'opt=sgd&mom=0.9&nest=1'],
  ['lion', 'opt=lion&b2=0.99'],
  ['adam+clip', 'opt=adam&clip=1'],
  ['muon', 'opt=muon&mom=0.95&nest=1'],
  ['polargrad', 'opt=polargrad&mom=0.95'],
  ['soap', 'opt=soap&b1=0.95&b2=0.95'],
];

export const BENCH_GRID: readonly BenchCase[] = [
  ...[5, 20].flatMap((d) => [20, 100].flatMap((n) => [256, 4096].map((B) => lsa(d, n, B)))),
  ...[1, 2, 8].map(softmax),
  { id: 'softmax d=32 n=512 B=1024 H=4', query: 'model=softmax&init=default&d=32&n=512&B=1024&H=4', floorTarget: false },
  // Zhang et al.'s separate rank-one K, Q with five heads, and three layers of LSA (von Oswald et al.).
  { id: 'la d=4 n=31 B=5000 H=5 separate r=1', query: 'model=lsa&d=4&n=31&B=5000&H=5&param=separate&rank=1&layers=1&tied=0', floorTarget: false },
  { id: 'la d=5 n=20 B=1024 L=3', query: 'model=lsa&d=5&n=20&B=1024&H=1&param=merged&rank=1&layers=3&tied=0', floorTarget: false },
  ...[lsa(5, 20, 256), softmax(2), lsa(20, 20, 256)].flatMap((c) => OPTIMIZER_CASES.map(([o, extra]) => withOptimizer(c, o, extra))),
];

export function benchSpec(c: BenchCase): ExperimentSpec {
  const opt = /(^|&)opt=/.test(c.query) ? '' : '&opt=adam&lr=0.001';
  const { spec, errors } = decodeSpec(`v=1&${c.query}&T=10000000${opt}`);
  if (errors.length) throw new Error(`bench case ${c.id}: ${errors.map((e) => e.message).join('; ')}`);
  return spec;
}
