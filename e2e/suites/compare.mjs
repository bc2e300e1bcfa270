// Browser tests of "compare two runs": pin a finished run, train another
// beside it (loss curves overlaid, W_KQ and W_PV pinned | current |
// difference on shared scales, the numbers in two columns), the link that
// carries both specs (vs=), training the pinned run from that link to the
// same numbers bit for bit, pinning a paused run, and a bad vs= link.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoProblems, open, plotData, ROOT, snapshot, waitForLab, answerConfirm } from '../lib.mjs';

const D = 3;
/** lib.mjs's SMALL with T = 200. */
const FIRST = `v=1&d=${D}&n=10&B=256&T=200&lr=0.02&ep=4096`;

const compareState = (page) => page.evaluate(() => window.__iclCompare.state());

async function waitForCompare(page, predicate, arg, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const s = await compareState(page);
    if (predicate(s, arg)) return s;
    if (Date.now() > end) throw new Error(`waitForCompare: timed out after ${timeout} ms waiting for ${predicate.toString().slice(0, 200)}; last state ${JSON.stringify({ ...s, rows: undefined })}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function trainToDone(page) {
  await page.click('button[data-action="train"]');
  return waitForLab(page, (s) => s.status === 'done' && s.lengthCurve !== 'pending', undefined, 80_000);
}

/** LSA's W_KQ and W_PV as rows of the flat parameter vector (W_KQ first, then W_PV, each D×D row-major; D = d + 1). */
function lsaMatrices(params, d) {
  const n = d + 1;
  const at = (off) => Array.from({ length: n }, (_, r) => params.slice(off + r * n, off + (r + 1) * n));
  return { W_KQ: at(0), W_PV: at(n * n) };
}

const row = (cs, id) => cs.rows.find((r) => r.id === id);

export const tests = [
  {
    name: 'compare: pin a run, train another beside it: loss curves overlaid, W_KQ/W_PV pinned | current | difference, numbers in two columns, vs= in the link; the link trains the pinned run to the same numbers',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, FIRST);
      await waitForLab(page, (s) => s.status === 'ready');
      assert.ok(await page.locator('button[data-action="pin"]').isDisabled(), 'Pin is enabled before training');
      assert.equal(await page.getByTestId('compare-panel').count(), 0, 'a compare panel before anything is pinned');
      const first = await trainToDone(page);
      assert.equal(first.step, 200);
      assert.equal(await page.locator('button[data-action="pin"]').innerText(), 'Pin for comparison');
      await page.click('button[data-action="pin"]');
      let cs = await waitForCompare(page, (c) => c.pinned && c.pinnedStatus === 'done');
      assert.equal(cs.pinnedStep, 200);
      assert.equal(cs.pinnedQuery, first.query);
      await page.getByTestId('compare-panel').waitFor();
      assert.match(await page.getByTestId('pin-status').innerText(), /pinned: step 200/);
      // The link carries both specs: the current one, then vs= the pinned one.
      let url = new URL(page.url());
      assert.equal(url.searchParams.get('vs'), first.query, `vs= in ${url.search}`);
      assert.ok(url.search.startsWith(`?${first.query}&vs=`), `URL ${url.search}`);
      assert.ok(url.search.endsWith(`&vs=${encodeURIComponent(first.query)}`), `URL ${url.search}`);
      assert.match(await page.getByTestId('compare-spec-diff').innerText(), /Same spec/);

      // A second run with n = 20 (the confirmation to discard the trained run is accepted).
      const nBox = page.locator('[data-field="task.n"] input[type="text"]');
      await nBox.fill('20');
      await nBox.press('Enter');
      await answerConfirm(page, true);
      await waitForLab(page, (s) => s.status === 'ready' && s.spec.task.n === 20);
      const second = await trainToDone(page);
      assert.equal(second.step, 200);
      assert.notEqual(second.evaluation.model, first.evaluation.model);
      await page.waitForTimeout(400);
      cs = await compareState(page);

      // The spec fields that differ, by label.
      assert.deepEqual(
        cs.specDiff.map((x) => [x.key, x.pinned, x.current]),
        [['n', '10', '20']],
      );
      assert.match(await page.getByTestId('compare-spec-diff').innerText(), /context length n: 10 → 20/);

      // The link: the current spec, and still the pinned one.
      url = new URL(page.url());
      assert.ok(url.search.startsWith(`?${second.query}&vs=`), `URL ${url.search}`);
      assert.equal(url.searchParams.get('vs'), first.query);
      assert.equal(cs.link, page.url());

      // Loss curves overlaid: both runs' curves on one plot, each as the lab drew it; L* of each (they differ with n).
      const loss = await plotData(page, '[data-testid="compare-loss-plot"]');
      const pinnedCurve = loss.traces.find((t) => t.name === 'pinned run');
      const currentCurve = loss.traces.find((t) => t.name === 'current run');
      assert.ok(pinnedCurve && currentCurve, `compare loss traces: ${loss.traces.map((t) => t.name)}`);
      assert.deepEqual(pinnedCurve.x, first.lossHistory.step);
      assert.deepEqual(pinnedCurve.y, first.lossHistory.loss);
      assert.deepEqual(currentCurve.x, second.lossHistory.step);
      assert.deepEqual(currentCurve.y, second.lossHistory.loss);
      const lines = loss.traces.filter((t) => t.name.startsWith('L*'));
      assert.equal(lines.length, 2, `L* lines: ${lines.map((t) => t.name)}`);
      assert.ok(lines.some((t) => t.y[0] === first.lStar) && lines.some((t) => t.y[0] === second.lStar), 'L* lines at the two runs’ L*');
      // The log toggle switches the axis.
      await page.getByTestId('compare-loss-log').uncheck();
      await page.waitForFunction(() => document.querySelector('[data-testid="compare-loss-plot"]')?.layout?.yaxis?.type === 'linear');
      await page.getByTestId('compare-loss-log').check();
      await page.waitForFunction(() => document.querySelector('[data-testid="compare-loss-plot"]')?.layout?.yaxis?.type === 'log');

      // Heatmaps: pinned and current from each run's own parameters, on one colour scale; the difference is current − pinned.
      const mPinned = lsaMatrices(first.params, D);
      const mCurrent = lsaMatrices(second.params, D);
      assert.deepEqual(
        cs.matrices.map((m) => m.name),
        ['W_KQ', 'W_PV'],
      );
      for (const name of ['W_KQ', 'W_PV']) {
        const fig = {};
        for (const key of ['pinned', 'current', 'diff']) {
          const selector = `[data-compare-heatmap="${key}:${name}"]`;
          await page.waitForFunction((sel) => document.querySelector(sel)?.data?.[0]?.type === 'heatmap', selector);
          fig[key] = await page.evaluate((sel) => {
            const t = document.querySelector(sel).data[0];
            return { z: t.z, zmin: t.zmin, zmax: t.zmax };
          }, selector);
        }
        assert.deepEqual(fig.pinned.z, mPinned[name], `pinned ${name} is not the first run's`);
        assert.deepEqual(fig.current.z, mCurrent[name], `current ${name} is not the second run's`);
        assert.equal(fig.pinned.zmax, fig.current.zmax, `${name}: pinned on ±${fig.pinned.zmax}, current on ±${fig.current.zmax}`);
        assert.equal(fig.pinned.zmin, -fig.pinned.zmax);
        assert.equal(fig.diff.zmin, -fig.diff.zmax);
        let maxAbs = 0;
        let maxTrained = 0;
        for (let r = 0; r <= D; r++)
          for (let c = 0; c <= D; c++) {
            const want = mCurrent[name][r][c] - mPinned[name][r][c];
            assert.equal(fig.diff.z[r][c], want, `${name} difference [${r}][${c}] = ${fig.diff.z[r][c]}, current − pinned = ${want}`);
            maxAbs = Math.max(maxAbs, Math.abs(want));
            const trains = name === 'W_KQ' ? c < D : r === D;
            if (trains) maxTrained = Math.max(maxTrained, Math.abs(want));
          }
        assert.ok(maxAbs > 0, `${name}: the two runs' matrices are equal`);
        // Each scale spans the entries that train (as the page's own heatmaps do).
        assert.equal(fig.diff.zmax, maxTrained, `${name}: difference drawn on ±${fig.diff.zmax}, its largest trained |entry| is ${maxTrained}`);
        const hook = cs.matrices.find((m) => m.name === name);
        assert.equal(hook.maxAbsDiff, maxAbs);
        assert.deepEqual(hook.zmax, { pinned: fig.pinned.zmax, current: fig.current.zmax, diff: fig.diff.zmax });
      }

      // The numbers in two columns: each run's own test MSEs, the difference beside them.
      const test = row(cs, 'test.model');
      assert.equal(test.pinned, first.evaluation.model);
      assert.equal(test.current, second.evaluation.model);
      assert.equal(test.diff, second.evaluation.model - first.evaluation.model);
      assert.equal(row(cs, 'test.oneStepGd').pinned, first.evaluation.oneStepGd);
      assert.equal(row(cs, 'test.ridge').current, second.evaluation.ridge);
      assert.equal(row(cs, 'identification').pinned, first.identification.label);
      assert.equal(row(cs, 'identification').current, second.identification.label);
      assert.equal(row(cs, 'lsa.etaEff').current, second.etaEff[0]);
      assert.ok(Number.isFinite(row(cs, 'lsa.etaRatio').pinned) && Number.isFinite(row(cs, 'lsa.gammaRelError').current));
      assert.equal(row(cs, 'step').pinned, 200);
      const cells = page.locator('[data-testid="compare-table"] tr[data-row="test.model"] td');
      const shown = (v) => Number(v.replace('−', '-'));
      const [pinnedText, currentText] = [await cells.nth(0).innerText(), await cells.nth(1).innerText()];
      assert.ok(Math.abs(shown(pinnedText) - first.evaluation.model) <= 5e-4 * first.evaluation.model, `pinned test MSE cell ${pinnedText}`);
      assert.ok(Math.abs(shown(currentText) - second.evaluation.model) <= 5e-4 * second.evaluation.model, `current test MSE cell ${currentText}`);

      // The compare view, for the README.
      await page.setViewportSize({ width: 1280, height: 1180 });
      await page.waitForTimeout(300);
      await page.evaluate(() => document.getElementById('compare').scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(400);
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-compare.png') });
      assertNoProblems(problems);
      const link = page.url();
      await page.close();

      // The link in a fresh page: the current run (n = 20) and the pinned spec, not trained yet, until Train pinned run.
      const fresh = await open(gpuContext, origin, new URL(link).search.slice(1));
      let s = await waitForLab(fresh.page, (s) => s.status === 'ready');
      assert.equal(s.query, second.query);
      cs = await compareState(fresh.page);
      assert.equal(cs.pinnedStatus, 'untrained');
      assert.equal(cs.pinnedQuery, first.query);
      assert.equal(row(cs, 'test.model')?.pinned ?? null, null);
      assert.equal(new URL(fresh.page.url()).searchParams.get('vs'), first.query, 'the fresh page dropped vs=');
      await fresh.page.getByTestId('compare-untrained').waitFor();
      assert.match(await fresh.page.getByTestId('compare-untrained').innerText(), /not trained yet/);
      await fresh.page.click('button[data-action="train-pinned"]');
      await waitForCompare(fresh.page, (c) => c.pinnedStatus === 'training', undefined, 10_000);
      cs = await waitForCompare(fresh.page, (c) => c.pinnedStatus === 'done', undefined, 80_000);
      assert.equal(cs.error, null);
      assert.equal(cs.pinnedStep, 200);
      assert.equal(cs.pinnedSource, 'link');
      // Same spec, same GPU: the same numbers bit for bit.
      assert.equal(row(cs, 'test.model').pinned, first.evaluation.model, 'the pinned run trained from the link has another test MSE');
      assert.equal(row(cs, 'test.oneStepGd').pinned, first.evaluation.oneStepGd);
      assert.equal(row(cs, 'test.ridge').pinned, first.evaluation.ridge);
      assert.equal(row(cs, 'identification').pinned, first.identification.label);
      await fresh.page.waitForFunction(() => document.querySelector('[data-compare-heatmap="pinned:W_KQ"]')?.data?.[0]?.type === 'heatmap');
      for (const name of ['W_KQ', 'W_PV']) {
        const z = (await plotData(fresh.page, `[data-compare-heatmap="pinned:${name}"]`)).traces[0].z;
        assert.deepEqual(z, mPinned[name], `pinned ${name} trained from the link differs from the first run's`);
      }
      // The page's own run was left alone.
      s = await snapshot(fresh.page);
      assert.equal(s.status, 'ready');
      assert.equal(s.step, 0);
      assertNoProblems(fresh.problems);
      await fresh.page.close();
    },
  },
  {
    name: 'compare: a paused run pins at its step; Unpin drops the panel and vs= from the link',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, `v=1&d=${D}&n=10&B=64&T=5000&lr=0.02&ep=4096`);
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s) => s.status === 'running' && s.step >= 50);
      await page.click('button[data-action="pause"]');
      const s = await waitForLab(page, (s) => s.status === 'paused');
      const pin = page.locator('button[data-action="pin"]');
      assert.equal(await pin.innerText(), `Pin step ${s.step.toLocaleString('en-US')} for comparison`);
      // Keyboard operable.
      await pin.focus();
      await page.keyboard.press('Enter');
      const cs = await waitForCompare(page, (c) => c.pinned);
      assert.equal(cs.pinnedStatus, 'paused');
      assert.equal(cs.pinnedStep, s.step);
      assert.equal(row(cs, 'test.model'), undefined, 'a test MSE row for runs that were never evaluated');
      assert.equal(row(cs, 'step').pinned, s.step);
      assert.equal(new URL(page.url()).searchParams.get('vs'), s.query);
      await page.click('button[data-action="unpin"]');
      await page.getByTestId('compare-panel').waitFor({ state: 'detached' });
      assert.equal((await compareState(page)).pinned, false);
      assert.equal(new URL(page.url()).searchParams.get('vs'), null, `vs= left in ${page.url()}`);
      assert.equal(new URL(page.url()).search, `?${s.query}`);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'compare: a link whose vs= has a bad field names it, and pins the valid rest (not trained yet)',
    async run({ gpuContext, origin }) {
      const vs = `v=1&d=4&n=oops&T=150`;
      const { page, problems } = await open(gpuContext, origin, `${FIRST}&vs=${encodeURIComponent(vs)}`);
      const s = await waitForLab(page, (s) => s.status === 'ready');
      const note = s.notices.find((n) => n.includes('pinned run'));
      assert.ok(note, `no notice about the pinned run's link: ${JSON.stringify(s.notices)}`);
      assert.match(note, /task\.n/);
      const cs = await compareState(page);
      assert.equal(cs.pinnedStatus, 'untrained');
      const pinned = await page.evaluate((q) => window.__iclLab.decodeSpec(q).spec, cs.pinnedQuery);
      assert.equal(pinned.task.d, 4);
      assert.equal(pinned.task.n, 20, 'the bad n did not fall back to its default');
      assert.equal(pinned.train.steps, 150);
      assert.deepEqual(
        cs.specDiff.map((x) => x.key),
        ['d', 'n', 'lr', 'B', 'T', 'ep'],
      );
      await page.getByTestId('compare-panel').waitFor();
      assert.equal(await page.locator('button[data-action="train-pinned"]').isEnabled(), true);
      // The link keeps the pinned spec, now in its canonical form.
      assert.equal(new URL(page.url()).searchParams.get('vs'), cs.pinnedQuery);
      assertNoProblems(problems);
      await page.close();
    },
  },
];
