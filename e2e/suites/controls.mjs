// Browser tests of the controls and run controls: a control for every spec
// field, Step and the speed setting (same numbers at any speed), pausing while
// the tab is hidden, the loss plot's theory lines and log toggle, the η_eff
// plot, the all-heatmaps figure, replaying a shared link bit for bit, and the
// longest main-thread task while training.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { assertNoProblems, longTasksBetween, open, plotData, pngSize, recordLongTasks, SMALL, snapshot, startServer, waitForLab, answerConfirm } from '../lib.mjs';

const field = (page, path) => page.locator(`[data-field="${path}"]`);

/** Types a value into a field's text box and commits it with Enter. */
async function typeInto(page, path, value) {
  const box = field(page, path).locator('input[type="text"]');
  await box.fill(String(value));
  await box.press('Enter');
}

async function trainToDone(page) {
  await page.click('button[data-action="train"]');
  return waitForLab(page, (s) => s.status === 'done', undefined, 60_000);
}

async function download(page, action) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`button[data-action="${action}"]`)]);
  return { name: dl.suggestedFilename(), body: await readFile(await dl.path()) };
}

/** Loads each preset the picker offers (those `pick` keeps), trains two readbacks, pauses. */
async function trainEachPreset({ gpuContext, origin }, pick) {
  const { page, problems } = await open(gpuContext, origin, SMALL);
  await waitForLab(page, (s) => s.status === 'ready');
  const all = await page.getByTestId('preset-picker').locator('option:not([disabled])').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(all.length >= 10, `presets: ${all}`);
  const ids = all.filter(pick);
  assert.ok(ids.length >= 4, `presets picked: ${ids}`);
  const times = [];
  const firstZ = async () => (await plotData(page, '[data-heatmap]'))?.traces.find((t) => t.type === 'heatmap')?.z.flat() ?? null;
  for (const [i, id] of ids.entries()) {
    await page.getByTestId('preset-picker').selectOption(id);
    // Loading the next preset asks before discarding the steps trained on this one.
    if (i > 0) assert.match(await answerConfirm(page, true), /discards the current one/);
    const s0 = await waitForLab(page, (s) => s.status === 'ready' && s.heatmapsDrawn >= 2, undefined, 40_000);
    const z0 = await firstZ();
    await page.click('button[data-action="train"]');
    const t0 = Date.now();
    const s1 = await waitForLab(page, (s) => s.step > 0 && s.lossHistory.step.length >= 2, undefined, 40_000);
    times.push(`${id} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await page.click('button[data-action="pause"]');
    await waitForLab(page, (s) => s.status === 'paused');
    // The picker still names the preset; the heatmap drawn first has moved off its initial values.
    assert.equal(await page.getByTestId('preset-picker').inputValue(), id);
    await page.waitForFunction((z) => {
      const el = document.querySelector('[data-heatmap]');
      const now = el?.data?.find((t) => t.type === 'heatmap')?.z?.flat();
      return now && now.some((v, i) => v !== z[i]);
    }, z0);
    assert.ok(s1.lossHistory.loss.every(Number.isFinite), `${id}: loss ${s1.lossHistory.loss}`);
    // The loss plot fills its card, whichever layout the previous preset left it in.
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="loss-plot"]');
      const f = el?._fullLayout;
      return f && Math.abs(f.width - el.clientWidth) <= 2 && Math.abs(f.height - el.clientHeight) <= 2;
    }, undefined, { timeout: 5_000 });
    assert.ok(s0.heatmapsDrawn >= 2, `${id}: ${s0.heatmapsDrawn} heatmaps`);
  }
  console.log(`      to the second readback: ${times.join(', ')}`);
  assertNoProblems(problems);
  await page.close();
}

export const tests = [
  {
    name: 'controls: every spec field has a labelled control where it matters, grouped; typed values apply, bad ones are refused',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL);
      await waitForLab(page, (s) => s.status === 'ready');
      for (const section of ['Task', 'Model', 'Optimizer', 'Run'])
        assert.equal(await page.locator(`details[data-section="${section}"]`).count(), 1, `no ${section} section`);
      // Every control shown has a label tied to it.
      const fields = page.locator('[data-field]');
      const count = await fields.count();
      assert.ok(count >= 20, `${count} controls`);
      for (let i = 0; i < count; i++) {
        const f = fields.nth(i);
        const forId = await f.locator('label.field-label').getAttribute('for');
        assert.ok(forId, `${await f.getAttribute('data-field')} has no label`);
        assert.equal(await page.locator(`[id="${forId}"]`).count(), 1, `${await f.getAttribute('data-field')}: label for a missing control`);
      }
      // Fields that do not matter are hidden until they do.
      assert.equal(await field(page, 'task.covariance.kappa').count(), 0);
      assert.equal(await field(page, 'optimizer.momentum').count(), 0);
      assert.equal(await field(page, 'optimizer.beta1').count(), 1);
      await field(page, 'task.covariance.kind').locator('select').selectOption('geometric');
      await waitForLab(page, (s) => s.status === 'ready' && s.spec.task.covariance.kind === 'geometric');
      assert.equal(await field(page, 'task.covariance.kappa').count(), 1);
      assert.equal(await field(page, 'task.covariance.alpha').count(), 0);
      assert.equal(await field(page, 'task.covariance.rotate').count(), 1);
      await typeInto(page, 'task.covariance.kappa', 100);
      let s = await waitForLab(page, (s) => s.spec.task.covariance.kappa === 100 && s.status === 'ready');
      assert.match(s.query, /(^|&)kappa=100(&|$)/);
      assert.match(page.url(), /kappa=100/);
      await field(page, 'optimizer.kind').locator('select').selectOption('sgd');
      await waitForLab(page, (s) => s.spec.optimizer.kind === 'sgd' && s.status === 'ready');
      assert.equal(await field(page, 'optimizer.momentum').count(), 1);
      assert.equal(await field(page, 'optimizer.beta1').count(), 0);
      // An out-of-range value is refused with the range, and nothing changes.
      await typeInto(page, 'task.d', 999);
      const err = field(page, 'task.d').locator('.field-error');
      await err.waitFor();
      assert.match(await err.innerText(), /Expected an integer (from|between) 1/);
      assert.equal((await snapshot(page)).spec.task.d, 3);
      await field(page, 'task.d').locator('input[type="text"]').press('Escape');
      // A seed is typed or drawn anew.
      const before = (await snapshot(page)).spec.train.initSeed;
      await field(page, 'train.initSeed').getByRole('button', { name: /new random/ }).click();
      s = await waitForLab(page, (s, b) => s.spec.train.initSeed !== b && s.status === 'ready', before);
      assert.ok(Number.isInteger(s.spec.train.initSeed) && s.spec.train.initSeed >= 0);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'controls: Step runs one step at a time; at 10 steps per frame the run ends on the same parameters as at full speed; progress shows steps/s and time left',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL);
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="step"]');
      let s = await waitForLab(page, (s) => s.step === 1 && s.status === 'paused');
      assert.equal(s.lossHistory.step.length, 1);
      await page.click('button[data-action="step"]');
      s = await waitForLab(page, (s) => s.step === 2 && s.status === 'paused');
      assert.match(await page.getByTestId('progress-text').innerText(), /step 2 \/ 300/);
      await page.getByTestId('speed').selectOption('10');
      await page.click('button[data-action="train"]');
      // While running: a rate and the time left.
      let sawRate = false;
      for (let i = 0; i < 200 && !sawRate; i++) {
        const text = await page.getByTestId('progress-text').innerText();
        sawRate = /steps\/s · .+ left/.test(text);
        if (!sawRate) await page.waitForTimeout(25);
      }
      assert.ok(sawRate, 'no steps/s and time left while running');
      const slow = await waitForLab(page, (s) => s.status === 'done', undefined, 60_000);

      const other = await open(gpuContext, origin, SMALL);
      await waitForLab(other.page, (s) => s.status === 'ready');
      const fast = await trainToDone(other.page);
      assert.equal(slow.step, 300);
      assert.deepEqual(slow.params, fast.params, 'parameters differ between 10 steps per frame (after two Steps) and full speed');
      assertNoProblems(problems);
      assertNoProblems(other.problems);
      await other.page.close();
      await page.close();
    },
  },
  {
    name: 'controls: a hidden tab pauses training, and showing it again resumes',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL.replace('T=300', 'T=4000'));
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s) => s.step > 0 && s.status === 'running');
      const setHidden = (hidden) =>
        page.evaluate((h) => {
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
          document.dispatchEvent(new Event('visibilitychange'));
        }, hidden);
      await setHidden(true);
      let s = await waitForLab(page, (s) => s.status === 'paused' && s.autoPaused);
      assert.match(await page.getByTestId('run-status').innerText(), /hidden/);
      const held = s.step;
      await page.waitForTimeout(400);
      assert.equal((await snapshot(page)).step, held, 'steps went on while hidden');
      await setHidden(false);
      s = await waitForLab(page, (s, h) => s.step > h && !s.autoPaused, held);
      await page.click('button[data-action="pause"]');
      await waitForLab(page, (s) => s.status === 'paused');
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'controls: loss plot with L* and the Bayes ridge line and a log toggle; η_eff against step with η*; all heatmaps as one PNG and SVG figure',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL);
      await waitForLab(page, (s) => s.status === 'ready' && s.ridgeReference !== null);
      const s = await trainToDone(page);
      // The ridge line agrees with the end-of-run ridge MSE (different prompts: within 4 SE).
      const loss = await plotData(page, '[data-testid="loss-plot"]');
      const ridge = loss.traces.find((t) => /Bayes ridge/.test(t.name));
      assert.ok(ridge, `loss traces: ${loss.traces.map((t) => t.name)}`);
      assert.equal(ridge.y[0], s.ridgeReference.mean);
      assert.ok(Math.abs(s.ridgeReference.mean - s.evaluation.ridge) < 4 * s.ridgeReference.se + 0.02 * s.evaluation.ridge, `ridge line ${JSON.stringify(s.ridgeReference)} vs test ${s.evaluation.ridge}`);
      assert.ok(loss.traces.some((t) => t.name.startsWith('L*') && Math.abs(t.y[0] - s.lStar) < 1e-12));
      assert.equal(await page.evaluate(() => document.querySelector('[data-testid="loss-plot"]').layout.yaxis.type), 'log');
      await page.getByTestId('loss-log').uncheck();
      await page.waitForFunction(() => document.querySelector('[data-testid="loss-plot"]')?.layout?.yaxis?.type === 'linear');
      // η_eff: the plotted series ends at the readout's value; η* is the theory's.
      const eta = await plotData(page, '[data-testid="eta-plot"]');
      const series = eta.traces.find((t) => t.name === 'η_eff');
      const star = eta.traces.find((t) => t.name === 'η*');
      assert.ok(series && star, `η traces: ${eta.traces.map((t) => t.name)}`);
      assert.equal(series.x[series.x.length - 1], 300);
      assert.ok(Math.abs(series.y[series.y.length - 1] - s.etaEff[0]) < 1e-9);
      assert.ok(Math.abs(series.y[series.y.length - 1] / star.y[0] - 1) < 0.15, `η_eff ${series.y.at(-1)} vs η* ${star.y[0]}`);
      assert.equal(series.x[0], 0);
      // All heatmaps: W_KQ, W_PV, Γ_eff, Γ* in one figure.
      const png = await download(page, 'export-all-png');
      assert.equal(png.name, 'icl-lab_all_heatmaps.png');
      const size = pngSize(png.body);
      assert.ok(size.width > 2 * size.height && size.height > 300, `figure ${size.width}×${size.height}`);
      const svg = await download(page, 'export-all-svg');
      const text = svg.body.toString('utf8');
      assert.match(text, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.equal((text.match(/<svg/g) ?? []).length, 1 + 4, 'four nested panels');
      for (const title of ['W_KQ', 'W_PV', 'Γ_eff', 'Γ*']) assert.ok(text.includes(`>${title}</text>`), `no title ${title}`);
      assert.ok(text.includes(`step 300 of 300 · ?${s.query.replace(/&/g, '&amp;')}`), 'caption names the step and the link');
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'share link: a copied link opened in a fresh page replays to bit-identical parameters and loss curve',
    async run({ gpuContext, origin }) {
      await gpuContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=4&n=12&B=128&T=400&lr=0.01&cov=ar1&rho=0.6&rot=1&rseed=7&ds=11&is=5&ep=4096');
      await waitForLab(page, (s) => s.status === 'ready');
      const first = await trainToDone(page);
      await page.click('button[data-action="copy-link"]');
      await page.waitForFunction(async () => (await navigator.clipboard.readText()).includes('?v='));
      const link = await page.evaluate(() => navigator.clipboard.readText());
      await page.close();
      // A fresh page: nothing carried over but the link.
      const query = new URL(link).search.slice(1);
      const other = await open(gpuContext, origin, query);
      await waitForLab(other.page, (s) => s.status === 'ready');
      const replay = await trainToDone(other.page);
      assert.deepEqual(replay.spec, first.spec);
      assert.deepEqual(replay.params, first.params, 'replayed parameters differ');
      assert.deepEqual(replay.lossHistory, first.lossHistory, 'replayed loss curve differs');
      assertNoProblems(problems);
      assertNoProblems(other.problems);
      await other.page.close();
    },
  },
  {
    name: 'responsiveness: the longest main-thread task while training LSA and softmax attention (reported)',
    async run({ gpuContext, origin }) {
      const report = [];
      for (const [label, query] of [
        ['LSA d = 5, n = 20', 'v=1&d=5&n=20&B=256&T=1500&lr=0.01&ep=4096'],
        ['softmax H = 2 (He et al.)', 'v=1&model=softmax&H=2&d=5&n=40&B=256&T=600&lr=0.003&init=small-identity&iscale=0.01&ep=4096'],
      ]) {
        const { page, problems } = await open(gpuContext, origin, query, {
          beforeLoad: recordLongTasks,
        });
        await waitForLab(page, (s) => s.status === 'ready');
        await page.waitForTimeout(300);
        const start = await page.evaluate(() => performance.now());
        await page.click('button[data-action="train"]');
        await waitForLab(page, (s) => s.status === 'done', undefined, 80_000);
        const end = await page.evaluate(() => performance.now());
        const { count, longest } = await longTasksBetween(page, start, end);
        report.push(`${label}: ${count} tasks over 50 ms in ${((end - start) / 1000).toFixed(1)} s of training, longest ${longest.toFixed(0)} ms`);
        // Reported above; bounded loosely here, since on a 2-core machine the GPU process (SwiftShader) competes with the page for the CPU.
        assert.ok(longest < 250, `${label}: a ${longest.toFixed(0)} ms main-thread task during training`);
        assertNoProblems(problems);
        await page.close();
      }
      console.log(`      ${report.join('\n      ')}`);
    },
  },
  {
    name: 'presets: LSA and length generalization each load in one click, train, and their loss curve and heatmaps move',
    // The linear-attention presets (Zhang et al., von Oswald et al., Ahn et al.) train too slowly on an emulated GPU for one click each here.
    run: (ctx) => trainEachPreset(ctx, (id) => !/^(he-|multitask-|zhang-staircase|zhang-merged|von-oswald-l|ahn-)/.test(id)),
  },
  {
    name: 'presets: He et al. H = 1, 2, 4, 8 and multi-task H = 3, 4 each load in one click, train, and their loss curve and heatmaps move',
    run: (ctx) => trainEachPreset(ctx, (id) => /^(he-|multitask-)/.test(id)),
  },
  {
    name: 'sub-path: the built site served under /some/sub/path/ loads its files from there and trains',
    async run({ gpuContext }) {
      const { server, origin } = await startServer({ prefix: '/some/sub/path' });
      try {
        const page = await gpuContext.newPage();
        const requests = [];
        page.on('request', (r) => requests.push(r.url()));
        const problems = [];
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('response', (r) => {
          if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
        });
        await page.goto(`${origin}/some/sub/path/?${SMALL}`);
        await waitForLab(page, (s) => s.status === 'ready');
        await page.click('button[data-action="train"]');
        await waitForLab(page, (s) => s.status === 'done', undefined, 60_000);
        const local = requests.filter((u) => u.startsWith(origin));
        assert.ok(local.length >= 3, `requests: ${local}`);
        for (const u of local) assert.ok(u.startsWith(`${origin}/some/sub/path/`), `request outside the sub-path: ${u}`);
        assert.deepEqual(problems, []);
        await page.close();
      } finally {
        server.close();
      }
    },
  },
];
