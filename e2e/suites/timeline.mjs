// Browser tests of the training timeline: scrubbing to a kept step shows
// exactly the parameters a run stopped at that step has (a fresh page trains
// that far), the plots mark the step, Play runs through to live, and the
// snapshots survive an exported and re-imported experiment.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import omggif from 'omggif';
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
      await page
        .waitForFunction(() => (document.querySelector('[data-testid="loss-plot"]')?.layout?.shapes ?? []).length === 1, undefined, { timeout: 5_000 })
        .catch(() => {});
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
      // The plot redraws on the next frame after the view goes live: wait for the marker to go.
      await page
        .waitForFunction(() => (document.querySelector('[data-testid="loss-plot"]')?.layout?.shapes ?? []).length === 0, undefined, { timeout: 5_000 })
        .catch(() => {});
      assert.equal((await plotData(page, '[data-testid="loss-plot"]')).shapes, 0, 'the loss plot still marks a kept step once live');
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
  {
    name: 'timeline: the animation exports as a GIF and a WebM video that decode to one frame per kept step, first and last frames those steps’ views',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, LINK(150));
      await waitForLab(page, (s) => s.status === 'ready');
      const done = await trainToDone(page);
      const plan = await page.evaluate(() => window.__iclLabAnimation.plan());
      assert.deepEqual(plan.steps, done.timelineSteps, 'the frames are not the kept steps');
      const rgba = async (i) => Buffer.from(await page.evaluate((k) => window.__iclLabAnimation.frameRgba(k), i), 'base64');
      const first = await rgba(0);
      const last = await rgba(plan.frames - 1);
      assert.equal(first.length, plan.width * plan.height * 4);
      const diff = (a, b) => {
        let s = 0;
        for (let i = 0; i < a.length; i++) if (i % 4 !== 3) s += Math.abs(a[i] - b[i]);
        return s / ((a.length / 4) * 3);
      };
      const apart = diff(first, last);
      assert.ok(apart > 1, `the first and last frames hardly differ (${apart})`);

      // GIF: every frame, exact up to its 256-colour palette.
      const download = async (format) => {
        const [d] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click(`button[data-action="export-animation-${format}"]`)]);
        assert.match(d.suggestedFilename(), new RegExp(`^icl-lab_training\\.${format}$`));
        return readFile(await d.path());
      };
      const gifBytes = await download('gif');
      const gif = new omggif.GifReader(new Uint8Array(gifBytes));
      assert.equal(gif.numFrames(), plan.frames);
      assert.deepEqual([gif.width, gif.height], [plan.width, plan.height]);
      const gifFrame = (i) => {
        const out = new Uint8Array(gif.width * gif.height * 4);
        gif.decodeAndBlitFrameRGBA(i, out);
        return out;
      };
      const g0 = diff(gifFrame(0), first);
      const gl = diff(gifFrame(plan.frames - 1), last);
      assert.ok(g0 < 1.5 && gl < 1.5, `GIF frames off the views: first ${g0}, last ${gl} (mean |Δ| per channel)`);
      assert.ok(diff(gifFrame(0), last) > 4 * g0, 'the GIF’s first frame is as close to the last step as to the first');
      assert.equal(gif.frameInfo(1).delay, 4, 'frames are not 40 ms');

      // WebM: decoded in the page, the same frames up to the codec's loss.
      const webm = await download('webm');
      const video = await page.evaluate((b64) => window.__iclLabAnimation.decodeVideo(b64), webm.toString('base64'));
      assert.equal(video.frames, plan.frames);
      assert.deepEqual([video.width, video.height], [plan.width, plan.height]);
      const v0 = diff(Buffer.from(video.first, 'base64'), first);
      const vl = diff(Buffer.from(video.last, 'base64'), last);
      assert.ok(v0 < apart / 3 && vl < apart / 3 && v0 < 8 && vl < 8, `video frames off the views: first ${v0}, last ${vl} (frames apart ${apart})`);

      console.info(`    animation: ${plan.frames} frames ${plan.width}×${plan.height}; mean |Δ| per channel: GIF ${g0.toFixed(2)} / ${gl.toFixed(2)}, WebM ${v0.toFixed(2)} / ${vl.toFixed(2)}, first vs last frame ${apart.toFixed(2)}; GIF ${gifBytes.length} B, WebM ${webm.length} B`);
      // MP4 where this browser encodes H.264, else a notice saying so.
      const [mp4] = await Promise.all([
        Promise.race([page.waitForEvent('download', { timeout: 120_000 }), waitForLab(page, (s) => s.notices.some((n) => n.startsWith('Could not export the animation as MP4')), undefined, 120_000).then(() => null)]),
        page.click('button[data-action="export-animation-mp4"]'),
      ]);
      if (mp4 === null) {
        const note = (await snapshot(page)).notices.find((n) => n.startsWith('Could not export the animation as MP4'));
        assert.match(note, /cannot encode H\.264/);
      } else assert.equal(mp4.suggestedFilename(), 'icl-lab_training.mp4');
      console.info(`    MP4: ${mp4 === null ? 'not encodable here (notice shown)' : 'written'}`);
      assertNoProblems(problems);
      await page.close();
    },
  },
];
