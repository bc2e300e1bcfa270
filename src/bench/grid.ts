// The benchmark grid (one share-link query per configuration): LSA over
// d × n × batch, He et al.'s softmax configuration over H, and one large case.
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

export const BENCH_GRID: readonly BenchCase[] = [
  ...[5, 20].flatMap((d) => [20, 100].flatMap((n) => [256, 4096].map((B) => lsa(d, n, B)))),
  ...[1, 2, 8].map(softmax),
  { id: 'softmax d=32 n=512 B=1024 H=4', query: 'model=softmax&init=default&d=32&n=512&B=1024&H=4', floorTarget: false },
];

export function benchSpec(c: BenchCase): ExperimentSpec {
  const { spec, errors } = decodeSpec(`v=1&${c.query}&T=10000000&opt=adam&lr=0.001`);
  if (errors.length) throw new Error(`bench case ${c.id}: ${errors.map((e) => e.message).join('; ')}`);
  return spec;
}
