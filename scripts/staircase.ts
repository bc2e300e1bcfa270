// The staircase figure of docs/linear-attention.md: Zhang et al.'s separate-K/Q
// preset trained in full on the GPU, its training loss with PCR's levels and
// its learned preconditioner read along Σ's eigenvectors every readback.
// Writes docs/figures/zhang-staircase/{loss.svg,components.svg,staircase.json}.
// Usage: node --import ./scripts/node-loader.mjs scripts/staircase.ts [--preset id] [--steps N] [--every K]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { componentBasisFor, componentsOf, oneLayerGamma, type ComponentReading } from '../src/analysis/components.ts';
import { findPlateaus, matchPlateaus } from '../src/analysis/plateaus.ts';
import { pcrLosses } from '../src/theory/pcr.ts';
import type { Figure, FigureTrace } from '../src/analysis/sweepFigure.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { figureSvg } from '../src/export/figureSvg.ts';
import { nodeDevice } from '../src/gpu/node.ts';
import { encodeSpec, PRESETS, presetSpec } from '../src/spec/index.ts';
import { buildTask } from '../src/tasks/task.ts';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'zhang-staircase' }, steps: { type: 'string' }, every: { type: 'string', default: '25' }, out: { type: 'string' } } });
const preset = PRESETS.find((p) => p.id === values.preset);
if (!preset) throw new Error(`no preset "${values.preset}"`);
const spec = presetSpec(preset);
if (values.steps) spec.train.steps = Number(values.steps);
const every = Number(values.every);
const dir = values.out ?? `docs/figures/${preset.id}`;
const basis = componentBasisFor(spec);
if (!basis) throw new Error('the preset is no one-layer linear attention on a closed-form task');
const levels = pcrLosses(buildTask(spec.task)).loss;

const gpu = await nodeDevice();
const trainer = await Trainer.create(gpu.device, spec, { chunkSteps: every });
const losses: number[] = [];
const snapshots: { step: number; components: ComponentReading[] }[] = [{ step: 0, components: componentsOf(basis, oneLayerGamma(spec, trainer.initialParams)) }];
const t0 = performance.now();
await trainer.run({
  steps: spec.train.steps,
  onReadback: (r) => {
    losses.push(...r.losses);
    snapshots.push({ step: r.step, components: componentsOf(basis, oneLayerGamma(spec, r.params)) });
    if (r.step % (every * 40) === 0) process.stderr.write(`step ${r.step}: loss ${r.losses[r.losses.length - 1].toFixed(4)}, fractions ${snapshots.at(-1)!.components.map((c) => c.fraction.toFixed(2)).join(' ')}\n`);
  },
});
const seconds = (performance.now() - t0) / 1000;
trainer.destroy();
gpu.close();

const steps = losses.map((_, i) => i + 1);
const plateaus = matchPlateaus(findPlateaus(steps, losses), levels);
// Components learned on each plateau: those whose fraction at its middle is above a half.
const learnedOn = plateaus.map((p) => {
  const mid = (p.start + p.end) / 2;
  const snap = snapshots.reduce((a, b) => (Math.abs(b.step - mid) < Math.abs(a.step - mid) ? b : a));
  return { step: snap.step, fractions: snap.components.map((c) => c.fraction) };
});
const link = encodeSpec(spec);

// The loss, block means of `every` steps, against PCR's levels.
const blockX: number[] = [];
const blockY: number[] = [];
for (let i = 0; i < losses.length; i += every) {
  const part = losses.slice(i, i + every);
  blockX.push(i + part.length);
  blockY.push(part.reduce((a, b) => a + b, 0) / part.length);
}
const line = (name: string, x: number[], y: number[], color: number, dash: FigureTrace['dash'] = 'solid', role: FigureTrace['role'] = 'model'): FigureTrace => ({ name, x, y, se: y.map(() => null), role, dash, color, diverged: [] });
const lossFig: Figure = {
  kind: 'field',
  title: `${preset.label}: training loss`,
  xLabel: 'step',
  yLabel: 'training loss (batch mean)',
  logX: false,
  logY: true,
  traces: [
    line('training loss', blockX, blockY, 0),
    ...levels.slice(0, -1).map((v, k) => line(`PCR, k = ${k}: ${v.toFixed(4)}`, [0, losses.length], [v, v], -1 - (k % 4), 'dot', 'theory')),
    line(`Γ* (k = d): ${levels.at(-1)!.toFixed(4)}`, [0, losses.length], [levels.at(-1)!, levels.at(-1)!], -2, 'dash', 'theory'),
  ],
  note: `block means of ${every} steps; dotted: PCR's expected loss with k components`,
  link,
};
const compFig: Figure = {
  kind: 'field',
  title: `${preset.label}: components learned`,
  xLabel: 'step',
  yLabel: 'v_iᵀ Γ_eff v_i / v_iᵀ Γ* v_i',
  logX: false,
  logY: false,
  traces: basis.targets.map((_, i) =>
    line(
      `component ${i + 1} (λ = ${basis.eigenvalues[i].toFixed(3)})`,
      snapshots.map((s) => s.step),
      snapshots.map((s) => s.components[i].fraction),
      i,
    ),
  ),
  note: "the learned preconditioner along Σ's eigenvectors, as a fraction of the optimal one-step Γ*",
  link,
};

mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/loss.svg`, figureSvg(lossFig));
writeFileSync(`${dir}/components.svg`, figureSvg(compFig));
writeFileSync(
  `${dir}/staircase.json`,
  JSON.stringify({ link, adapter: gpu.description, seconds, levels, plateaus, learnedOn, snapshots: snapshots.map((s) => ({ step: s.step, fractions: s.components.map((c) => c.fraction) })), blockLoss: { step: blockX, loss: blockY } }, null, 1) + '\n',
);
console.log(`${spec.train.steps} steps in ${seconds.toFixed(0)} s on ${gpu.description}`);
console.log(`PCR levels: ${levels.map((v) => v.toFixed(4)).join(', ')}`);
for (const [i, p] of plateaus.entries())
  console.log(
    `plateau ${i + 1}: steps ${p.start}–${p.end}, level ${p.level.toFixed(4)}, nearest PCR k = ${p.ref} (${p.refLevel.toFixed(4)}), off by ${(100 * p.relDeviation).toFixed(2)}%; fractions ${learnedOn[i].fractions.map((f) => f.toFixed(2)).join(' ')}`,
  );
