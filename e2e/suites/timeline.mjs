// Browser tests of the training timeline: scrubbing to a kept step shows
// exactly the parameters a run stopped at that step has (a fresh page trains
// that far), the plots mark the step, Play runs through to live, and the
// snapshots survive an exported and re-imported experiment.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { assertNoErrorNotice, assertNoProblems, open, plotData, snapshot, trainToDone, waitForLab } from '../lib.mjs';

// A constant schedule, so a run of T' < T steps passes through the same parameters.
const LINK = (T) => `v=1&d=3&n=10&B=128&T=${T}&lr=0.02&sched=constant&ep=2048`;
const numbers = (a) => a.map((v) => (v === '-0' ? -0 : v));

/** Moves the timeline slider by keyboard to position `index` (0 = step 0). */
async function scrubTo(page, index) {
  const slider = page.locator('[data-testid="timeline"] input[type="range"]');
  await slider.focus();
  await slider.press('Home');
  for (let i = 0; i < index; i++) await slider.press('ArrowRight');
}

export const tests = [
  {
    name: 'timeline: scrubbing to a kept step shows that step’s parameters exactly (a run stopped there agrees), marks it on the loss plot, and Play runs through to live',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, LINK(300));
      await waitForLab(page, (s) => s.status === 'ready');
      const done = await trainToDone(page);
      const kept = done.timelineSteps;
      assert.equal(kept[0], 0);
      assert.equal(kept.at(-1), 300);
      assert.ok(kept.length > 60, `only ${kept.length} snapshots kept`);
      assert.equal(done.viewStep, null);
      const index = kept.findIndex((s) => s >= 40);
      const target = kept[index];
      await scrubTo(page, index);
      const shown = await waitForLab(page, (s, t) => s.viewStep === t, target, 10_000);
      assert.equal(shown.step, 300, 'scrubbing changed the run');
      assert.match(await page.getByTestId('timeline-step').innerText(), new RegExp(`step ${target} of 300`));
      assert.notDeepEqual(shown.params, done.params);
      // The heatmap shows those parameters.
      const want = shown.params.slice(0, 16);
      await page
        .waitForFunction((w) => JSON.stringify(document.querySelector('[data-heatmap="W_KQ"]')?.data?.[0]?.z?.flat()) === JSON.stringify(w), want, { timeout: 10_000 })
        .catch(() => {});
      const kq = await plotData(page, '[data-heatmap="W_KQ"]');
      assert.deepEqual(kq.traces[0].z.flat(), want, 'the W_KQ heatmap does not show the kept step');
      assert.equal((await plotData(page, '[data-testid="loss-plot"]')).shapes, 1, 'the loss plot does not mark the step');
      // Step 0 is the initialization.
      await scrubTo(page, 0);
      const zero = await waitForLab(page, (s) => s.viewStep === 0, undefined, 10_000);

      // Play: through the kept steps, then live again.
      await page.click('button[data-action="timeline-play"]');
      const seen = new Set();
      const end = Date.now() + 30_000;
      for (;;) {
        const s = await page.evaluate(() => window.__iclLab.state());
        if (s.viewStep !== null) seen.add(s.viewStep);
        if (!s.timelinePlaying && s.viewStep === null) break;
        assert.ok(Date.now() < end, 'play did not finish');
        await page.waitForTimeout(40);
      }
      assert.ok(seen.size > 5, `play showed only ${seen.size} steps`);
      const liveAgain = await snapshot(page);
      assert.deepEqual(liveAgain.params, done.params, 'live does not show the latest parameters');
      assert.equal((await plotData(page, '[data-testid="loss-plot"]')).shapes, 0);
      await assertNoErrorNotice(page);
      assertNoProblems(problems);
      await page.close();

      // A fresh page trained to the kept step has the same parameters, bit for bit.
      const other = await open(gpuContext, origin, LINK(target));
      await waitForLab(other.page, (s) => s.status === 'ready');
      assert.deepEqual((await snapshot(other.page)).params, zero.params, 'step 0 is not the initialization');
      const stopped = await trainToDone(other.page);
      assert.deepEqual(stopped.params, shown.params, `the kept step ${target} differs from a run stopped there`);
      assertNoProblems(other.problems);
      await other.page.close();
    },
  },
  {
    name: 'timeline: the snapshots go into the exported experiment and come back on import; the views can scrub them there',
    async run({ gpuContext, origin }) {
      const a = await open(gpuContext, origin, LINK(200));
      await waitForLab(a.page, (s) => s.status === 'ready');
      const done = await trainToDone(a.page);
      await scrubTo(a.page, 3); // exporting goes live first
      const [download] = await Promise.all([a.page.waitForEvent('download', { timeout: 20_000 }), a.page.click('button[data-action="export-experiment"]')]);
      const file = await download.path();
      const exp = JSON.parse((await readFile(file)).toString('utf8'));
      assert.deepEqual(exp.timeline.step, done.timelineSteps);
      assert.deepEqual(numbers(exp.timeline.params.at(-1)), done.params);
      assert.deepEqual(numbers(exp.params.data), done.params, 'the export holds the scrubbed weights, not the run’s');
      assertNoProblems(a.problems);
      await a.page.close();

      const b = await open(gpuContext, origin, 'v=1&d=2&n=20&B=128&T=500&lr=0.01&ep=1024');
      await waitForLab(b.page, (s) => s.status === 'ready');
      await b.page.setInputFiles('[data-testid="import-experiment-file"]', file);
      const imported = await waitForLab(b.page, (s, n) => s.status !== 'building' && s.step === n && s.timelineSteps.length > 1, exp.steps);
      assert.deepEqual(imported.timelineSteps, done.timelineSteps);
      await scrubTo(b.page, 5);
      const s5 = await waitForLab(b.page, (s, t) => s.viewStep === t, done.timelineSteps[5], 10_000);
      assert.deepEqual(s5.params, numbers(exp.timeline.params[5]));
      // A file whose timeline runs past its step is refused, naming why.
      const bad = structuredClone(exp);
      bad.timeline.step[bad.timeline.step.length - 1] = exp.steps + 5;
      await b.page.setInputFiles('[data-testid="import-experiment-file"]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
      const refused = await waitForLab(b.page, (s) => s.notices.some((n) => n.startsWith('Could not import the experiment')));
      assert.match(refused.notices.find((n) => n.startsWith('Could not import the experiment')), /timeline has a snapshot at step \d+, after the exported step/);
      assertNoProblems(b.problems);
      await b.page.close();
    },
  },
];
