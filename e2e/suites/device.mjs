// A lost GPU device loses nothing: the lab re-creates the device, restores the
// run's last snapshot and carries on, with the step counter and the loss curve
// continuous and the result bit for bit that of an uninterrupted run; a device
// that keeps getting lost is given up on, and the run still exports.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { assertNoProblems, open, plotData, snapshot, trainToDone, waitForLab } from '../lib.mjs';

// 8000 steps: the loss curve's buckets grow to 4 steps, and a snapshot may fall
// inside one (a timeline step ends a submission anywhere); the curve still comes
// back exactly, from the buckets kept with the snapshot.
const SPEC = 'v=1&d=3&n=10&B=256&T=8000&lr=0.02&ep=4096';
const TOTAL = 8000;

/** Console errors a destroyed device is expected to cause (its pending readbacks fail); nothing else. */
const LOSS_SYMPTOM = /\b(destroyed|device (is |was )?lost|lost device)\b/i;

/** Polls the lab every few ms until `done(state)`, keeping every state seen. */
async function record(page, done, timeout = 60_000) {
  const seen = [];
  const end = Date.now() + timeout;
  for (;;) {
    const s = await snapshot(page);
    seen.push(s);
    if (done(s)) return seen;
    if (Date.now() > end) throw new Error(`timed out; last state: status ${s.status}, step ${s.step}, notices ${JSON.stringify(s.notices)}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export const tests = [
  {
    name: 'device: destroying the GPU device mid-run resumes from the last snapshot; steps, loss curve and parameters continue as an uninterrupted run',
    async run({ gpuContext, origin }) {
      // A: the uninterrupted run.
      const a = await open(gpuContext, origin, SPEC);
      await waitForLab(a.page, (s) => s.status === 'ready');
      await a.page.click('button[data-action="train"]');
      const sa = await waitForLab(a.page, (s) => s.status === 'done', undefined, 80_000);
      assert.equal(sa.step, TOTAL);
      const curveA = (await plotData(a.page, '[data-testid="loss-plot"]')).traces[0];
      assertNoProblems(a.problems);
      await a.page.close();

      // B: the same spec; the device is destroyed while it trains.
      const b = await open(gpuContext, origin, SPEC);
      await waitForLab(b.page, (s) => s.status === 'ready');
      await b.page.click('button[data-action="train"]');
      await waitForLab(b.page, (s) => s.status === 'running' && s.step >= 200 && s.device.snapshotStep >= 40, undefined, 60_000);
      const problemsBefore = b.problems.length;
      // State and loss in one call, so nothing moves in between.
      const atLoss = await b.page.evaluate(() => {
        const s = window.__iclLab.state();
        return { state: s, lost: window.__iclLab.loseDevice() };
      });
      assert.ok(atLoss.lost, 'the lab had no device to lose');
      assert.equal(atLoss.state.status, 'running', `the run was ${atLoss.state.status} at the loss, not running`);
      assert.ok(atLoss.state.step < TOTAL, 'the run had finished before the loss');
      const snapAt = atLoss.state.device.snapshotStep;
      const seen = await record(b.page, (s) => s.status === 'done', 80_000);
      const sb = seen.at(-1);

      // It said what happened and where it resumed.
      assert.equal(sb.device.losses, 1);
      assert.equal(sb.device.recoveries, 1);
      assert.equal(sb.device.givenUp, false);
      const from = sb.device.recoveredFromStep;
      // The page publishes its step counter a few times a second; the snapshot rides on a
      // readback, so it may be ahead of the counter shown, never of the steps read back.
      const readAt = atLoss.state.device.readStep;
      assert.ok(from >= snapAt && from <= readAt, `resumed from step ${from}; the snapshot was at ${snapAt}, the steps read back at ${readAt}`);
      const notice = sb.notices.find((n) => n.startsWith('The GPU device was lost'));
      assert.ok(notice, `no notice of the loss: ${JSON.stringify(sb.notices)}`);
      assert.match(notice, new RegExp(`\\(destroyed[^)]*\\); the run resumed from step ${from}\\.`), notice);
      assert.ok(!sb.notices.some((n) => /error|stopped/i.test(n)), `error notices after the loss: ${JSON.stringify(sb.notices)}`);
      assert.equal(sb.gpu, 'ready');

      // The step counter went back at most to the snapshot, and from there only forward
      // (before the restore it may still show steps read back before the loss).
      let prev = atLoss.state.step;
      let wentBack = false;
      for (const s of seen) {
        assert.ok(s.step >= Math.min(from, atLoss.state.step), `the step counter read ${s.step}, behind the snapshot step ${from}`);
        if (s.step < prev) {
          assert.ok(!wentBack, `the step counter went back twice (${prev} → ${s.step})`);
          assert.equal(s.step, from, `the step counter went back to ${s.step}, not to the snapshot step ${from}`);
          wentBack = true;
        }
        prev = s.step;
      }
      assert.ok(seen.some((s) => s.status === 'running' && s.step > from), 'training did not visibly resume');

      // The loss curve: steps strictly increasing in equal buckets up to the end, no gap or repeat,
      // and equal to the uninterrupted run's (the replayed steps give the same losses).
      const curveB = (await plotData(b.page, '[data-testid="loss-plot"]')).traces[0];
      assert.equal(curveB.x.at(-1), TOTAL);
      const width = curveB.x[0];
      curveB.x.forEach((x, i) => assert.equal(x, (i + 1) * width, `loss curve point ${i} ends at step ${x}, expected ${(i + 1) * width}`));
      assert.deepEqual(sb.lossHistory.step, curveB.x);
      assert.deepEqual(curveB.x, curveA.x, 'the loss curve steps differ from the uninterrupted run');
      assert.deepEqual(curveB.y, curveA.y, 'the loss curve differs from the uninterrupted run');

      // The end of the run, bit for bit that of the uninterrupted run.
      assert.equal(sb.step, TOTAL);
      assert.ok(sa.params.every((v, i) => Object.is(Math.fround(v), Math.fround(sb.params[i]))), 'the recovered run ended elsewhere than the uninterrupted one');
      assert.deepEqual(sb.params, sa.params);
      assert.equal(sb.evaluation.model, sa.evaluation.model);

      // The destroyed device's failing readbacks may log; nothing else may.
      const after = b.problems.slice(problemsBefore);
      assertNoProblems([...b.problems.slice(0, problemsBefore), ...after.filter((p) => !(p.startsWith('console error:') && LOSS_SYMPTOM.test(p)))]);
      console.log(
        `      device lost at step ${readAt} read back, ${atLoss.state.step} shown (snapshot at ${snapAt}); resumed from ${from} after ${sb.device.recoveryMs?.toFixed(0)} ms, ${readAt - from} steps replayed`,
      );
      await b.page.close();
    },
  },
  {
    name: 'device: a loss while paused keeps the step; after too many losses the lab says so, cannot train, and still exports the run',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SPEC);
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s) => s.step >= 200, undefined, 60_000);
      await page.click('button[data-action="pause"]');
      const paused = await waitForLab(page, (s) => s.status === 'paused' && s.device.snapshotStep === s.step);
      const P = paused.step;

      // Lost at rest: the snapshot taken at the pause is the exact state, so no step is lost.
      assert.ok(await page.evaluate(() => window.__iclLab.loseDevice()));
      let s = await waitForLab(page, (s) => s.device.recoveries === 1 && s.status === 'paused');
      assert.equal(s.step, P);
      assert.equal(s.device.recoveredFromStep, P);
      assert.deepEqual(s.params, paused.params, 'the parameters changed across the loss');
      assert.deepEqual(s.lossHistory, paused.lossHistory, 'the loss curve changed across the loss');
      assert.ok(s.notices.some((n) => n.includes(`the run resumed from step ${P}.`)), JSON.stringify(s.notices));

      // Three more losses within the minute: the fourth is one too many.
      for (let i = 2; i <= 4; i++) {
        await waitForLab(page, (s) => s.gpu === 'ready' && s.status === 'paused');
        assert.ok(await page.evaluate(() => window.__iclLab.loseDevice()));
        s = await waitForLab(page, (s, n) => s.device.losses === n && (s.device.recoveries === n || s.device.givenUp), i);
      }
      s = await waitForLab(page, (s) => s.status === 'unavailable');
      assert.equal(s.device.givenUp, true);
      assert.equal(s.device.recoveries, 3);
      assert.equal(s.gpu, 'unavailable');
      const note = s.notices.find((n) => n.startsWith('The GPU device was lost and could not be re-created'));
      assert.ok(note, JSON.stringify(s.notices));
      assert.match(note, /more than 3 times within a minute/);
      assert.match(note, new RegExp(`Export experiment \\(JSON\\) still saves the run as of step ${P}`));
      assert.equal(await page.getByTestId('webgpu-unavailable').getAttribute('data-reason'), 'device-lost');
      assert.ok(await page.locator('button[data-action="train"]').isDisabled(), 'Train is enabled without a device');
      assert.equal(s.step, P);
      assert.deepEqual(s.params, paused.params, 'the shown parameters are not the last snapshot');

      // The export holds the run as of the snapshot: step, parameters, optimizer state, loss curve.
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click('button[data-action="export-experiment"]')]);
      const exp = JSON.parse((await readFile(await download.path())).toString('utf8'));
      const numbers = (a) => a.map((v) => (v === '-0' ? -0 : v));
      assert.equal(exp.steps, P);
      assert.deepEqual(numbers(exp.params.data), paused.params);
      assert.equal(exp.optimizerState?.data?.length, 2 * 2 * 4 * 4, 'no optimizer state in the export');
      assert.equal(exp.lossHistory.step.at(-1), P);
      assert.deepEqual(exp.lossHistory, paused.lossHistory);
      assertNoProblems(problems.filter((p) => !(p.startsWith('console error:') && LOSS_SYMPTOM.test(p))));
      await page.close();
    },
  },
  {
    name: 'device: on a CPU adapter the largest softmax attention the fields allow (d = 64, 16 heads, 4 tasks), once refused, trains with its heads split across threads',
    async run({ gpuContext, origin }) {
      const T = 3;
      const { page, problems } = await open(gpuContext, origin, `v=1&model=softmax&init=default&d=64&H=16&K=4&ws=16&wst=16&n=6&B=16&T=${T}&ep=256`);
      await waitForLab(page, (st) => st.status === 'ready' || st.status === 'error', undefined, 120_000);
      const s = await trainToDone(page, 180_000);
      assert.deepEqual(s.notices.filter((n) => n.startsWith('This model does not fit this GPU')), []);
      assert.equal(s.step, T);
      assert.equal(s.params.length, 16 * 3 * 68 * 68 + 4 * 16 * 68);
      assert.ok(s.params.every((v) => typeof v === 'number' && Number.isFinite(v)), 'non-finite parameters');
      assert.match(await page.getByTestId('adapter').innerText(), /swiftshader/i);
      assertNoProblems(problems);
      await page.close();
    },
  },
];
