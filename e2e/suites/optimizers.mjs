// Browser tests of the optimizers beyond SGD and Adam: picking one in the
// control sets its source's published settings (and says so) while a link
// applies exactly what it says; Muon trains; Muon and SOAP links replay bit
// for bit in a fresh page; and a Lion learning rate that blows up stops with
// the divergence notice and Lion's hint.
import assert from 'node:assert/strict';
import { assertNoErrorNotice, assertNoProblems, open, replaysBitForBit, snapshot, trainToDone, waitForLab } from '../lib.mjs';

const field = (page, path) => page.locator(`[data-field="${path}"]`);

/** The small spec these tests train (LSA, d = 4, n = 10); SwiftShader is slow. */
const BASE = 'v=1&d=4&n=10&B=64&T=300&ep=4096';

const SOURCE_DEFAULTS = /^Set to the optimizer's published settings/;

export const tests = [
  {
    name: "optimizers: choosing Muon in the control sets its published momentum and Nesterov (notice), keeps the learning rate, and trains",
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, `${BASE}&lr=0.02`);
      let s = await waitForLab(page, (s) => s.status === 'ready');
      assert.equal(s.spec.optimizer.kind, 'adam');
      assert.equal(s.spec.optimizer.momentum, 0);
      await field(page, 'optimizer.kind').locator('select').selectOption('muon');
      s = await waitForLab(page, (s) => s.spec.optimizer.kind === 'muon' && s.status === 'ready');
      assert.equal(s.spec.optimizer.momentum, 0.95);
      assert.equal(s.spec.optimizer.nesterov, true);
      assert.equal(s.spec.optimizer.lr, 0.02, 'the learning rate changed');
      // The notice names the source and what changed, as an info notice.
      const note = s.notices.find((n) => SOURCE_DEFAULTS.test(n));
      assert.ok(note, `no source-defaults notice: ${JSON.stringify(s.notices)}`);
      assert.match(note, /Muon \(Jordan et al\. 2024, KellerJordan\/Muon\): mom = 0\.95, nest = 1$/);
      const banner = page.locator('.notice-info', { hasText: 'KellerJordan/Muon' });
      assert.equal(await banner.count(), 1, 'the notice is not shown as an info notice');
      assert.match(await banner.innerText(), /mom = 0\.95, nest = 1/);
      // The controls show it.
      assert.equal(await field(page, 'optimizer.momentum').locator('input[type="text"]').inputValue(), '0.95');
      assert.ok(await field(page, 'optimizer.nesterov').locator('input[type="checkbox"]').isChecked(), 'Nesterov is not ticked');
      assert.equal(await field(page, 'optimizer.lr').locator('input[type="text"]').inputValue(), '0.02');
      assert.equal(await field(page, 'optimizer.beta1').count(), 0, 'β₁ shown for Muon');
      // The link says exactly that.
      const q = new URLSearchParams(s.query);
      assert.deepEqual([q.get('opt'), q.get('lr'), q.get('mom'), q.get('nest')], ['muon', '0.02', '0.95', '1'], s.query);
      assert.equal(new URL(page.url()).search, `?${s.query}`);
      // Choosing SOAP replaces the notice rather than adding another.
      await field(page, 'optimizer.kind').locator('select').selectOption('soap');
      s = await waitForLab(page, (s) => s.spec.optimizer.kind === 'soap' && s.status === 'ready');
      assert.deepEqual(s.notices.filter((n) => SOURCE_DEFAULTS.test(n)).length, 1, JSON.stringify(s.notices));
      assert.match(s.notices.find((n) => SOURCE_DEFAULTS.test(n)), /SOAP \(Vyas et al\. 2024, nikhilvyas\/SOAP\): b1 = 0\.95, b2 = 0\.95/);
      await field(page, 'optimizer.kind').locator('select').selectOption('muon');
      s = await waitForLab(page, (s) => s.spec.optimizer.kind === 'muon' && s.status === 'ready');
      assert.equal(s.spec.optimizer.momentum, 0.95);
      // Train: the loss goes down, and nothing goes wrong.
      s = await trainToDone(page);
      assert.equal(s.step, 300);
      assert.ok(Number.isFinite(s.firstLoss) && Number.isFinite(s.lastLoss), `loss ${s.firstLoss} → ${s.lastLoss}`);
      assert.ok(s.lastLoss < 0.8 * s.firstLoss, `Muon's loss went from ${s.firstLoss} to ${s.lastLoss}`);
      assert.ok(s.lossHistory.loss.every(Number.isFinite));
      assert.ok(Number.isFinite(s.evaluation?.model), `test MSE ${s.evaluation?.model}`);
      assert.equal(s.status, 'done');
      await assertNoErrorNotice(page);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'optimizers: a link applies exactly what it says (opt=muon without mom keeps momentum 0, no source defaults)',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, `${BASE}&opt=muon&lr=0.02`);
      const s = await waitForLab(page, (s) => s.status === 'ready');
      assert.equal(s.spec.optimizer.kind, 'muon');
      assert.equal(s.spec.optimizer.momentum, 0);
      assert.equal(s.spec.optimizer.nesterov, false);
      assert.ok(!s.notices.some((n) => SOURCE_DEFAULTS.test(n)), JSON.stringify(s.notices));
      assert.equal(await field(page, 'optimizer.momentum').locator('input[type="text"]').inputValue(), '0');
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'optimizers: a Muon link replays in a fresh page to bit-identical parameters and loss curve',
    run: (ctx) =>
      replaysBitForBit(ctx, `${BASE}&opt=muon&lr=0.02&mom=0.95&nest=1`, (s) => {
        assert.deepEqual([s.spec.optimizer.kind, s.spec.optimizer.momentum, s.spec.optimizer.nesterov], ['muon', 0.95, true]);
      }),
  },
  {
    name: 'optimizers: a SOAP link replays in a fresh page to bit-identical parameters and loss curve',
    run: (ctx) =>
      replaysBitForBit(ctx, `${BASE}&opt=soap&lr=0.01&b1=0.95&b2=0.95&pfreq=5`, (s) => {
        assert.deepEqual([s.spec.optimizer.kind, s.spec.optimizer.beta1, s.spec.optimizer.beta2, s.spec.optimizer.precondFreq], ['soap', 0.95, 0.95, 5]);
      }),
  },
  {
    name: 'optimizers: Lion at lr = 10 stops with the divergence notice, its blow-up, the Lion hint and the learning rate to lower',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=4&n=10&B=64&T=2000&opt=lion&lr=10&b1=0.9&b2=0.99');
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      const s = await waitForLab(page, (s) => s.status === 'diverged' && s.notices.some((n) => n.startsWith('Training diverged')), undefined, 60_000);
      const note = s.notices.find((n) => n.startsWith('Training diverged'));
      assert.match(note, /The batch loss reached \S+ at step \d+, more than 1e6 times its first value/);
      assert.match(note, /Lion steps by lr·sign/);
      assert.match(note, /a smaller learning rate \(now 10\)/);
      assert.ok(s.step < 2000, `step ${s.step}`);
      assert.ok(s.params.every(Number.isFinite), 'the parameters shown are not finite');
      // Shown on the page as an error notice.
      assert.match(await page.locator('.notice-error', { hasText: 'Training diverged' }).innerText(), /Lion steps by lr·sign/);
      assert.ok(await page.locator('button[data-action="train"]').isDisabled(), 'Train stays enabled after divergence');
      assert.equal((await snapshot(page)).status, 'diverged');
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'optimizers: every optimizer, with each schedule and clipping among them, trains in the page: the loss falls, nothing goes wrong',
    async run({ gpuContext, origin }) {
      const cases = [
        'opt=sgd&lr=0.02&mom=0.9&nest=1&sched=wsd&warm=20&decay=0.3',
        'opt=adamw&lr=0.01&wd=0.01&sched=warmup-cosine&warm=30',
        'opt=lion&lr=0.001&b2=0.99&clip=1',
        'opt=polargrad&lr=0.01&mom=0.95',
        'opt=soap&lr=0.01&b1=0.95&b2=0.95&sched=cosine',
        'opt=muon&lr=0.02&mom=0.95&nest=1&pscale=muon',
      ];
      for (const q of cases) {
        const { page, problems } = await open(gpuContext, origin, `${BASE}&${q}`);
        await waitForLab(page, (s) => s.status === 'ready');
        const s = await trainToDone(page);
        assert.ok(s.params.every(Number.isFinite), `${q}: non-finite parameters`);
        assert.ok(s.lastLoss < 0.9 * s.firstLoss, `${q}: loss went from ${s.firstLoss} to ${s.lastLoss}`);
        await assertNoErrorNotice(page);
        assertNoProblems(problems);
        await page.close();
      }
    },
  },
  {
    name: 'optimizers: after an Adam run with a cosine schedule the readouts give the step within 1% of L* (the runner\'s convergence), as the test hook and the loss curve say',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=4&n=10&B=256&T=600&opt=adam&lr=0.01&sched=cosine&ep=4096');
      await waitForLab(page, (s) => s.status === 'ready');
      assert.equal(await page.locator('[data-readout="convergence"]').count(), 0, 'the convergence readout shows before training');
      const s = await trainToDone(page, 90_000);
      const c = s.convergence;
      assert.ok(c, 'no convergence in the test hook');
      // LSA with a closed form: the target is L* (the preconditioned one where there is one).
      assert.equal(c.target, s.theory.pgdLoss ?? s.theory.gdLoss);
      assert.match(c.targetLabel, /^L\* \(optimal/);
      assert.ok(c.exact, 'the page\'s readout is not exact');
      // The window: 32,768 prompts (128 steps), at most a twentieth of the run (30 steps).
      assert.equal(c.window, 30);
      assert.ok(Math.abs(c.finalRatio - s.evaluation.model / c.target) < 1e-12, `final ratio ${c.finalRatio}`);
      // The same step recomputed from the loss curve (one point per step at 600 steps), as convergence() does.
      assert.equal(s.lossHistory.step.length, 600);
      let sum = 0;
      let want = null;
      const L = s.lossHistory.loss;
      for (let t = 0; t < L.length; t++) {
        sum += L[t];
        if (t >= c.window) sum -= L[t - c.window];
        if (t + 1 >= c.window && sum / c.window <= 1.01 * c.target) {
          want = t + 1;
          break;
        }
      }
      assert.equal(c.stepsToTarget, want, 'the page\'s step differs from the loss curve\'s');
      const tile = page.locator('[data-readout="convergence"]');
      const text = (await tile.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /Within 1% of L\*/);
      assert.match(text, /30-step window/);
      if (c.stepsToTarget === null) {
        assert.match(text, /not within final \S+× L\*/);
      } else {
        assert.ok(Number.isInteger(c.stepsToTarget) && c.stepsToTarget >= 1 && c.stepsToTarget <= 600, `step ${c.stepsToTarget}`);
        const shown = Number(/step ([\d,]+)/.exec(text)?.[1].replace(/,/g, ''));
        assert.equal(shown, c.stepsToTarget, `the tile says ${text}`);
      }
      assert.match(await tile.getAttribute('title'), /averaged over the trailing 30 steps \(7,680 prompts\), came within 1% of L\* \(optimal/);
      await assertNoErrorNotice(page);
      assertNoProblems(problems);
      await page.close();
    },
  },
];
