// Browser tests of the task data beyond fresh Gaussian prompts: a finite,
// sign-symmetric task pool (pool and fresh-task numbers side by side, dMMSE
// against ridge, Γ*(Ω_pool), the length curves on both), a custom spectrum
// with a fixed training set (the eigenvalue box, the training-set MSE and the
// generalization gap), bad values for the new fields (each named, the rest of
// the link applied; the eigenvalue box names them too), and a link with every
// new field replaying to bit-identical parameters and numbers.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoProblems, open, plotData, ROOT, snapshot, waitForLab } from '../lib.mjs';

const field = (page, path) => page.locator(`[data-field="${path}"]`);

/** Types into a field's text box and commits it with Enter. */
async function typeInto(page, path, value) {
  const box = field(page, path).locator('input[type="text"]');
  await box.fill(String(value));
  await box.press('Enter');
}

/** Trains to the end and waits for the length curves (the last stage). */
async function trainToEnd(page, timeout = 70_000) {
  await page.click('button[data-action="train"]');
  return waitForLab(page, (s) => s.status === 'done' && s.lengthCurve !== null && s.lengthCurve !== 'pending', undefined, timeout);
}

const finite = (v, what) => assert.ok(Number.isFinite(v), `${what} = ${v}`);

/** The cells of a row of the test-distribution table, by column. */
async function tableRow(page, testid) {
  const row = page.getByTestId(testid);
  await row.waitFor();
  return row.locator('td[data-col]').evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.dataset.col, td.textContent.trim()])));
}

const shownNumber = (text) => Number(text.replace('−', '-'));

const POOL = 'v=1&d=5&n=20&B=256&T=300&lr=0.01&ep=4096&pool=3&psym=1&pseed=4';
const CUSTOM = 'v=1&d=4&n=12&B=64&T=200&lr=0.01&ep=4096&cov=custom&eig=1,2,3,4&rot=1&tset=64';
const BASE = 'v=1&d=4&n=10&B=64&T=50&lr=0.01&ep=1024';

/** Bad values of the new fields: the link, what its notice must name, and fields that must still apply. */
const BAD = [
  { query: `${BASE}&cov=custom&eig=1,-2,3`, bits: ['task.covariance.eigenvalues = [1,-2,3]', 'entry 2 (-2), which is negative'], applied: { 'task.covariance.kind': 'custom', 'task.covariance.eigenvalues': [] } },
  { query: `${BASE}&cov=custom&eig=1,0,2,3`, bits: ['task.covariance.eigenvalues', 'entry 2 (0), which is zero'], applied: { 'task.covariance.kind': 'custom', 'task.covariance.eigenvalues': [] } },
  { query: `${BASE}&cov=custom&eig=1,x,3,4`, bits: ['task.covariance.eigenvalues', 'entry 2 ("x"), which is not a number'], applied: { 'task.covariance.kind': 'custom', 'task.covariance.eigenvalues': [] } },
  { query: `${BASE}&cov=custom&eig=1,2,3`, bits: ['task.covariance.eigenvalues lists 3 eigenvalues', 'd = 4 needs 4'], applied: { 'task.covariance.kind': 'custom', 'task.covariance.eigenvalues': [] } },
  { query: `${BASE}&pool=99999999&psym=1`, bits: ['task.pool = 99999999', 'out of range'], applied: { 'task.pool': 0, 'task.poolSymmetric': true } },
  { query: `${BASE}&tscale=0&ts2=0.5`, bits: ['eval.test.scale = 0', 'out of range'], applied: { 'eval.test.scale': 1, 'eval.test.noiseVar': 0.5 } },
  { query: `${BASE}&ts2=-1&tscale=2`, bits: ['eval.test.noiseVar = -1', 'out of range'], applied: { 'eval.test.noiseVar': null, 'eval.test.scale': 2 } },
];

const at = (obj, path) => path.split('.').reduce((o, k) => o?.[k], obj);

export const tests = [
  {
    name: 'taskData: a sign-symmetric pool of 3 tasks trains; pool and fresh-task test MSE side by side, dMMSE beats ridge on the pool and loses on fresh tasks; Γ*(Ω_pool); length curves on both',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, POOL);
      const s0 = await waitForLab(page, (s) => s.status === 'ready');
      assert.equal(s0.spec.task.pool, 3);
      assert.equal(s0.spec.task.poolSymmetric, true);
      // The pool's controls appear with it: its seed typed or drawn, its signs, the test tasks.
      assert.equal(await field(page, 'task.poolSeed').getByRole('button', { name: /new random/ }).count(), 1);
      assert.equal(await field(page, 'task.poolSymmetric').locator('input[type="checkbox"]').isChecked(), true);
      assert.equal(await field(page, 'eval.test.tasks').locator('select').inputValue(), 'fresh');
      // The pool slider sits on a log scale from 1 (position 0 is no pool).
      const pos = Number(await field(page, 'task.pool').locator('input[type="range"]').inputValue());
      assert.ok(pos > 1 && pos < 200, `pool slider at ${pos}`);
      // Before training the test-distribution card says what it will measure.
      assert.match(await page.getByTestId('shift-results').innerText(), /Test distribution\s*\(fresh tasks\)[\s\S]*measured after training/);

      const s = await trainToEnd(page);
      assert.equal(s.step, 300);
      const ev = s.evaluation;
      for (const k of ['model', 'ridge', 'dmmse', 'oneStepGd']) finite(ev[k], `pool tasks: ${k}`);
      assert.ok(ev.dmmse < ev.ridge, `on pool tasks dMMSE ${ev.dmmse} should beat ridge ${ev.ridge}`);
      assert.equal(s.theory.source, 'pool');
      // L*: the closed form for the pool's own second moment.
      assert.ok(Math.abs(s.lStar - s.theory.gdLoss) < 1e-12, `L* ${s.lStar} vs the pool theory's ${s.theory.gdLoss}`);
      const sh = s.shift;
      assert.ok(sh, 'no fresh-task evaluation');
      assert.equal(sh.description, 'fresh tasks');
      for (const k of ['model', 'ridge', 'dmmse', 'oneStepGd']) finite(sh[k], `fresh tasks: ${k}`);
      assert.ok(sh.ridge < sh.dmmse, `on fresh tasks ridge ${sh.ridge} should beat dMMSE ${sh.dmmse}`);
      assert.equal(sh.theory.source, 'trained distribution');
      finite(sh.theory.pgdLoss, 'the pool optimum on fresh tasks');
      finite(sh.theory.testPgdLoss, "fresh tasks' own optimum");
      assert.ok(sh.theory.testPgdLoss <= sh.theory.pgdLoss * (1 + 1e-9), `the fresh-task optimum ${sh.theory.testPgdLoss} above the pool optimum's loss there ${sh.theory.pgdLoss}`);
      finite(sh.r2, 'fresh-task identification R²');
      assert.ok(sh.label.length > 0);
      assert.ok(s.identification.matches.some((m) => m.predictor === 'dmmse'), 'dMMSE is not among the candidates');

      // The page: the test tile reads the pool's tasks against dMMSE and ridge.
      const tile = await page.locator('[data-readout="test"]').innerText();
      assert.match(tile, /pool tasks/);
      assert.match(tile, /dMMSE/);
      // The table: pool tasks and fresh tasks, each with dMMSE and ridge, as the hook has them.
      const train = await tableRow(page, 'shift-row-train');
      const fresh = await tableRow(page, 'shift-row-test');
      for (const [row, nums] of [
        [train, ev],
        [fresh, sh],
      ])
        for (const k of ['model', 'ridge', 'dmmse']) {
          const v = shownNumber(row[k]);
          assert.ok(Math.abs(v - nums[k]) <= 5e-4 * Math.abs(nums[k]), `table ${k}: ${row[k]} vs ${nums[k]}`);
        }
      assert.match(await page.getByTestId('shift-results').innerText(), /pool tasks \(training\)[\s\S]*fresh tasks/);
      assert.match(fresh.identification, /R²/);
      // Γ* is the pool's.
      assert.match(await page.locator('section[aria-label="learned Γ_eff vs theory Γ*"] h2').innerText(), /Γ\*\s*\(Ω\s*pool\s*\)/);
      // Length curves: dMMSE on both distributions, the fresh-task ones long-dashed.
      assert.ok(s.lengthCurveDmmse, 'no dMMSE on the length curve');
      assert.ok(s.shiftLengthCurve?.dmmse, 'no dMMSE on the fresh-task length curve');
      assert.ok(s.shiftLengthCurve.model.every(Number.isFinite));
      await page.getByTestId('length-plot').waitFor();
      const fig = await plotData(page, '[data-testid="length-plot"]');
      const names = fig.traces.map((t) => t.name);
      for (const n of ['model', 'ridge', 'dMMSE', 'model, fresh tasks', 'ridge, fresh tasks', 'dMMSE, fresh tasks']) assert.ok(names.includes(n), `no length trace ${n}: ${names}`);
      const dash = await page.evaluate(() => document.querySelector('[data-testid="length-plot"]').data.find((t) => t.name === 'model, fresh tasks').line.dash);
      assert.equal(dash, 'longdash');
      await page.waitForTimeout(300);
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-results', 'screenshot-task-pool.png') });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'taskData: a custom spectrum 1,2,3,4 rotated, on a fixed training set of 64 prompts (full batch): the eigenvalue box, the training-set MSE beside fresh-prompt test MSE and the gap',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, CUSTOM);
      let s = await waitForLab(page, (s) => s.status === 'ready');
      assert.deepEqual(s.spec.task.covariance.eigenvalues, [1, 2, 3, 4]);
      assert.equal(s.spec.train.set, 64);
      const eig = field(page, 'task.covariance.eigenvalues').locator('input[type="text"]');
      assert.equal(await eig.inputValue(), '1, 2, 3, 4');
      assert.equal(await field(page, 'task.covariance.kind').locator('select').inputValue(), 'custom');
      // Rotation applies to a custom spectrum; pool controls stay hidden without a pool; the test section is collapsed.
      assert.equal(await field(page, 'task.covariance.rotationSeed').count(), 1);
      assert.equal(await field(page, 'task.poolSeed').count(), 0);
      assert.equal(await page.locator('details[data-section="Test distribution"]').evaluate((d) => d.open), false);
      assert.equal(await page.getByTestId('shift-results').count(), 0);
      // The eigenvalue box names a bad entry and a wrong count beside it, and changes nothing.
      await eig.fill('1, -2, 3, 4');
      await eig.press('Enter');
      const err = field(page, 'task.covariance.eigenvalues').locator('.field-error');
      await err.waitFor();
      assert.match(await err.innerText(), /^Entry 2 \(-2\) is negative\. Expected a comma-separated list/);
      await eig.fill('1, x, 3, 4');
      await eig.press('Enter');
      await page.waitForFunction(() => /^Entry 2 \("x"\) is not a number\./.test(document.querySelector('[data-field="task.covariance.eigenvalues"] .field-error')?.textContent ?? ''));
      await eig.fill('1, 2, 3');
      await eig.press('Enter');
      await page.waitForFunction(() => /3 eigenvalues listed; d = 4 needs 4/.test(document.querySelector('[data-field="task.covariance.eigenvalues"] .field-error')?.textContent ?? ''));
      assert.deepEqual((await snapshot(page)).spec.task.covariance.eigenvalues, [1, 2, 3, 4]);
      await eig.press('Escape');
      assert.equal(await eig.inputValue(), '1, 2, 3, 4');
      assert.equal(await err.count(), 0);
      // The training-set slider: position 0 is fresh prompts, the rest log from 1.
      const slider = field(page, 'train.set').locator('input[type="range"]');
      const pos = Number(await slider.inputValue());
      assert.ok(pos > 200 && pos < 300, `tset=64 sits at slider position ${pos}`);
      await slider.focus();
      await page.keyboard.press('Home');
      s = await waitForLab(page, (s) => s.spec.train.set === 0 && s.status === 'ready');
      assert.match(s.query, /(^|&)tset=0(&|$)/);
      await typeInto(page, 'train.set', 64);
      s = await waitForLab(page, (s) => s.spec.train.set === 64 && s.status === 'ready');
      assert.match(page.url(), /[?&]eig=1,2,3,4(&|$)/);

      s = await trainToEnd(page);
      const ts = s.trainSet;
      assert.ok(ts, 'no training-set result');
      assert.equal(ts.size, 64);
      assert.equal(ts.prompts, 64);
      finite(ts.model[0], 'training-set MSE');
      finite(ts.gap[0], 'gap');
      assert.ok(Math.abs(ts.gap[0] - (s.evaluation.model - ts.model[0])) < 1e-9 * (1 + Math.abs(ts.gap[0])), `gap ${ts.gap[0]} ≠ ${s.evaluation.model} − ${ts.model[0]}`);
      assert.ok(ts.model[0] < s.evaluation.model, `64 prompts seen 200 times: training-set MSE ${ts.model[0]} should be under the fresh-prompt MSE ${s.evaluation.model}`);
      const line = page.getByTestId('train-set');
      assert.match(await line.innerText(), /N = 64 prompts[\s\S]*training-set MSE[\s\S]*fresh-prompt test MSE[\s\S]*generalization gap/);
      assert.ok(Math.abs(shownNumber(await page.getByTestId('train-set-mse').innerText()) - ts.model[0]) <= 5e-4 * ts.model[0]);
      assert.equal(s.theory.source, 'prior');
      assert.equal(s.shift, null);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'taskData: bad eigenvalues, pool, test scale and test σ² in a link each open with a message naming them, the rest applied',
    async run({ gpuContext, origin }) {
      for (let i = 0; i < BAD.length; i += 4) {
        await Promise.all(
          BAD.slice(i, i + 4).map(async (link) => {
            const { page, problems } = await open(gpuContext, origin, link.query);
            const s = await waitForLab(page, (s) => s.status === 'ready', undefined, 40_000);
            const notice = s.notices.find((n) => n.startsWith('Some settings in this link could not be used'));
            assert.ok(notice, `no link notice for ${link.query}: ${JSON.stringify(s.notices)}`);
            for (const bit of link.bits) assert.ok(notice.includes(bit), `${link.query}: the notice does not name ${bit}: ${notice}`);
            const banner = page.getByTestId('notice').first();
            await banner.waitFor({ state: 'visible', timeout: 10_000 });
            const text = await banner.innerText();
            for (const bit of link.bits) assert.ok(text.includes(bit), `${link.query}: the banner does not show ${bit}: ${text}`);
            // The rest of the link applied.
            assert.equal(s.spec.task.d, 4);
            assert.equal(s.spec.task.n, 10);
            assert.equal(s.spec.train.steps, 50);
            for (const [path, value] of Object.entries(link.applied)) assert.deepEqual(at(s.spec, path), value, `${link.query}: ${path} = ${JSON.stringify(at(s.spec, path))}`);
            assertNoProblems(problems);
            await page.close();
          }),
        );
      }
    },
  },
  {
    name: 'taskData: a link with a pool, a custom rotated spectrum, a training set and test overrides replays to bit-identical parameters, loss curve and numbers',
    async run({ gpuContext, origin }) {
      const query = 'v=1&d=4&n=10&B=64&T=150&lr=0.01&ep=1024&cov=custom&eig=3,1,2,0.5&rot=1&rseed=3&pool=5&psym=1&pseed=9&tset=128&ts2=0.3&tcov=ar1&trho=0.4&tn=14&ds=7&is=2';
      const { page, problems } = await open(gpuContext, origin, query);
      await waitForLab(page, (s) => s.status === 'ready');
      const first = await trainToEnd(page);
      assert.ok(first.shift && first.trainSet, 'the run has no test-distribution or training-set result');
      assert.match(first.shift.description, /fresh tasks/);
      assert.match(first.shift.description, /σ² = 0.3/);
      assert.equal(first.shift.nCtx, 14);
      assert.ok(first.shiftLengthCurve, 'no length curve on the test distribution');
      // The test section opened by itself: the link sets its fields.
      assert.equal(await page.locator('details[data-section="Test distribution"]').evaluate((d) => d.open), true);
      assert.equal(await field(page, 'eval.test.noiseVar').locator('input[type="checkbox"]').isChecked(), false);
      assert.equal(await field(page, 'eval.test.prior.tau2').locator('input[type="checkbox"]').isChecked(), true);
      const link = first.query;
      await page.close();
      // A fresh page: nothing carried over but the link the page wrote.
      const other = await open(gpuContext, origin, link);
      await waitForLab(other.page, (s) => s.status === 'ready');
      const replay = await trainToEnd(other.page);
      assert.deepEqual(replay.spec, first.spec);
      assert.deepEqual(replay.params, first.params, 'replayed parameters differ');
      assert.deepEqual(replay.lossHistory, first.lossHistory, 'replayed loss curve differs');
      assert.deepEqual(replay.evaluation, first.evaluation, 'replayed test MSEs differ');
      assert.deepEqual(replay.shift, first.shift, 'replayed test-distribution numbers differ');
      assert.deepEqual(replay.trainSet, first.trainSet, 'replayed training-set numbers differ');
      assert.deepEqual(replay.shiftLengthCurve, first.shiftLengthCurve, 'replayed test-distribution length curve differs');
      assertNoProblems(problems);
      assertNoProblems(other.problems);
      await other.page.close();
    },
  },
];
