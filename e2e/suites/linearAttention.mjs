// Browser tests of the linear-attention views beyond one merged head: separate
// K, Q (every head's W_K, W_Q, W_V and W_KᵀW_Q as heatmaps, PCR's levels on
// the loss plot, the components of Σ learned, the identification line) and
// two layers (per-layer heatmaps, no one-step Γ card).
import assert from 'node:assert/strict';
import { assertNoProblems, open, plotData, replaysBitForBit, snapshot, trainToDone, waitForLab } from '../lib.mjs';

const SEPARATE = 'v=1&model=lsa&H=2&param=separate&rank=1&layers=1&cov=geometric&kappa=10&d=3&n=10&B=256&T=200&lr=0.05&iscale=0.1&ep=4096';
const DEEP = 'v=1&model=lsa&H=1&param=merged&layers=2&tied=0&d=3&n=10&B=256&T=200&lr=0.02&iscale=0.1&ep=4096';

const heatmapNames = (page) => page.locator('[data-testid="la-maps"] [data-heatmap]').evaluateAll((els) => els.map((e) => e.getAttribute('data-heatmap')));

async function train(page) {
  await page.click('button[data-action="train"]');
  return waitForLab(page, (s) => s.status === 'done' && s.identification !== null, undefined, 80_000);
}

export const tests = [
  {
    name: 'linear attention, separate K and Q: every head’s matrices with W_KᵀW_Q, PCR’s levels on the loss plot, the components learned, an identification that names or declines',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SEPARATE);
      await waitForLab(page, (s) => s.status === 'ready');
      const s = await train(page);
      assert.equal(s.spec.model.param, 'separate');
      const names = await heatmapNames(page);
      // Two heads: W_K, W_Q, W_V (the projection folded in) and the product each.
      assert.ok(names.length >= 8, `heatmaps: ${names.join(', ')}`);
      for (const h of [1, 2]) assert.ok(names.some((n) => /W_K/.test(n) && /W_Q/.test(n) && n.includes(String(h))), `no W_KᵀW_Q for head ${h}: ${names.join(', ')}`);
      // PCR's levels k = 0 … d − 1 as reference lines, the first at E[y²].
      const { traces } = await plotData(page, '[data-testid="loss-plot"]');
      const pcr = traces.filter((t) => /^PCR, k = /.test(t.name ?? ''));
      assert.equal(pcr.length, 3, traces.map((t) => t.name).join(', '));
      const levels = pcr.map((t) => t.y[0]);
      for (let i = 1; i < levels.length; i++) assert.ok(levels[i] < levels[i - 1], `levels ${levels}`);
      // Which of Σ's components the one-step reading holds.
      const comp = page.locator('[data-testid="components"]');
      await comp.waitFor();
      const learned = Number(await comp.getAttribute('data-learned'));
      assert.ok(Number.isInteger(learned) && learned >= 0 && learned <= 3, `learned ${learned}`);
      assert.match(await comp.innerText(), /components of Σ learned: \d of 3/);
      // The identification line names a candidate at R² ≥ 0.95 or says none does.
      const best = page.locator('.identification-best').first();
      await best.waitFor();
      const explained = await best.getAttribute('data-explained');
      const text = await best.innerText();
      if (explained === 'false') assert.match(text, /no candidate/);
      else assert.equal(explained, 'true');
      assert.ok(s.identification.matches.some((m) => /^pcr/.test(m.predictor)), s.identification.matches.map((m) => m.predictor).join(', '));
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'linear attention, two layers: per-layer heatmaps, the multi-step candidates in the identification, no one-step Γ card',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, DEEP);
      await waitForLab(page, (s) => s.status === 'ready');
      const s = await train(page);
      const names = await heatmapNames(page);
      assert.equal(names.length, 4, names.join(', '));
      for (const l of [1, 2]) assert.equal(names.filter((n) => n.includes(`${l}`)).length >= 2, true, `layer ${l}: ${names.join(', ')}`);
      assert.equal(await page.locator('[data-testid="components"]').count(), 0);
      assert.equal(await page.locator('section[aria-label="learned Γ_eff vs theory Γ*"]').count(), 0);
      const ids = s.identification.matches.map((m) => m.predictor);
      for (const p of ['stepsGd', 'gdpp']) assert.ok(ids.includes(p), ids.join(', '));
      // The multi-step candidates' fitted losses as reference lines, below one layer's L*.
      const withLevels = await waitForLab(page, (x) => Array.isArray(x.multiStepReference) && x.multiStepReference.length >= 3, undefined, 30_000);
      const { traces } = await plotData(page, '[data-testid="loss-plot"]');
      const lstar = traces.find((t) => /^L\*/.test(t.name ?? ''));
      assert.ok(lstar, traces.map((t) => t.name).join(', '));
      for (const level of withLevels.multiStepReference) {
        const line = traces.find((t) => t.name === level.label);
        assert.ok(line, `no line ${level.label}: ${traces.map((t) => t.name).join(', ')}`);
        assert.equal(line.y[0], level.loss);
        assert.ok(level.loss < lstar.y[0], `${level.label} ${level.loss} ≥ L* ${lstar.y[0]}`);
      }
      assert.ok(traces.some((t) => /^2-step GD/.test(t.name ?? '')) && traces.some((t) => /^GD\+\+/.test(t.name ?? '')), traces.map((t) => t.name).join(', '));
      // No single step size to plot: the η_eff card gives way, and the readout shows the best level instead.
      assert.equal(await page.locator('[data-testid="eta-plot"]').count(), 0);
      const best = Math.min(...withLevels.multiStepReference.map((l) => l.loss));
      const tile = page.locator('[data-readout="multistep"]');
      await page.waitForFunction((b) => document.querySelector('[data-readout="multistep"] .tile-value')?.textContent?.trim() !== '—', best);
      assert.ok(Math.abs(Number((await tile.locator('.tile-value').innerText()).trim()) - best) <= 1e-3 * best + 5e-4, `tile ${await tile.innerText()} vs ${best}`);
      assert.ok(Number.isFinite((await snapshot(page)).evaluation.model));
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'linear attention: a link with two heads of separate rank-two K, Q in two tied layers replays in a fresh page bit for bit',
    run: (ctx) =>
      replaysBitForBit(ctx, 'v=1&model=lsa&H=2&param=separate&rank=2&layers=2&tied=1&d=3&n=10&B=128&T=150&lr=0.02&iscale=0.1&ep=2048', (s) => {
        assert.deepEqual([s.spec.model.heads, s.spec.model.param, s.spec.model.rank, s.spec.model.layers, s.spec.model.tied], [2, 'separate', 2, 2, true]);
      }),
  },
  {
    name: 'linear attention: a link with rank > d + 1 and tied weights on one layer opens repaired, naming both, and trains',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&model=lsa&H=2&param=separate&rank=9&layers=1&tied=1&d=3&n=10&B=128&T=50&lr=0.02&ep=2048');
      const s = await waitForLab(page, (x) => x.status === 'ready', undefined, 30_000);
      assert.equal(s.spec.model.rank, 4);
      assert.equal(s.spec.model.tied, false);
      const notice = s.notices.find((n) => n.startsWith('Some settings in this link could not be used'));
      assert.ok(notice, JSON.stringify(s.notices));
      assert.match(notice, /model\.rank = 9 exceeds the token size d \+ k = 4/);
      assert.match(notice, /tied = true ties the weights of L ≥ 2 layers/);
      const done = await trainToDone(page);
      assert.ok(done.params.every(Number.isFinite) && done.lastLoss < done.firstLoss, `loss ${done.firstLoss} → ${done.lastLoss}`);
      assertNoProblems(problems);
      await page.close();
    },
  },
];
