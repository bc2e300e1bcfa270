// The lab's main browser tests: training and its views, share links and
// exports, run controls, import and resume, softmax heads, multi-task, no
// WebGPU, divergence.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertGammaHeatmaps,
  assertHeadHeatmaps,
  assertHeatmaps,
  assertNoProblems,
  assertPatternHeatmaps,
  assertSpectra,
  axisTicks,
  exportDownload,
  heApproxLoss,
  launch,
  lStar,
  lStarWindow,
  open,
  plotData,
  pngSize,
  ROOT,
  SMALL,
  snapshot,
  waitForLab, answerConfirm } from '../lib.mjs';

export const tests = [
  {
    name: 'trains: the loss falls toward L*, heatmaps drawn, test MSE, identified as one-step GD, MSE against context length',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL);
      let s = await waitForLab(page, (s) => s.status === 'ready');
      assert.equal(s.gpu, 'ready');
      assert.equal(s.step, 0);
      // The address bar now holds the whole spec, not only the fields given.
      const url = new URL(page.url());
      for (const part of ['v=1', 'd=3', 'n=10', 'B=256', 'T=300', 'lr=0.02', 'opt=adam', 's2=0.1']) {
        assert.ok(url.search.includes(part), `URL ${url.search} lacks ${part}`);
      }
      // The built page carries its Content-Security-Policy (every test runs under it).
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp ?? '', /script-src 'self'(;|$)/, `CSP: ${csp}`);
      assert.match(csp, /default-src 'self'/);
      const adapter = await page.getByTestId('adapter').innerText();
      assert.match(adapter, /swiftshader|google|GPU/i);

      await page.click('button[data-action="train"]');
      s = await waitForLab(page, (s) => s.status === 'done', undefined, 80_000);
      assert.equal(s.step, 300);
      assert.ok(Number.isFinite(s.firstLoss) && Number.isFinite(s.lastLoss), `losses ${s.firstLoss}, ${s.lastLoss}`);
      assert.ok(s.lastLoss < 0.5 * s.firstLoss, `loss did not fall enough: first ${s.firstLoss}, last ${s.lastLoss}`);
      assert.ok(s.stepsPerSecond > 0, `steps/s = ${s.stepsPerSecond}`);

      const expected = lStar(3, 10, 0.1);
      assert.ok(Math.abs(s.lStar - expected) < 1e-9 * expected, `L* = ${s.lStar}, closed form ${expected}`);
      const loss = await plotData(page, '[data-testid="loss-plot"]');
      assert.ok(loss, 'no loss plot');
      const curve = loss.traces.find((t) => t.name.startsWith('batch loss'));
      const line = loss.traces.find((t) => t.name.startsWith('L*'));
      assert.ok(curve && curve.x.length > 0, 'no loss curve');
      assert.equal(curve.x.at(-1), 300);
      assert.ok(curve.y.every(Number.isFinite), 'loss curve has non-finite points');
      assert.ok(line, 'no L* line on the loss plot');
      assert.ok(line.y.every((v) => Math.abs(v - expected) < 1e-9 * expected), `L* line at ${line.y}`);
      // After 300 steps the curve sits within reach of L*.
      assert.ok(s.lastLoss < 2 * expected, `last loss ${s.lastLoss} is far above L* ${expected}`);

      await assertHeatmaps(page, 3);
      await assertGammaHeatmaps(page, 3);

      assert.ok(s.evaluation, 'no test evaluation after training');
      const { model, oneStepGd } = s.evaluation;
      assert.ok(Number.isFinite(model) && Number.isFinite(oneStepGd), `test MSE ${model} vs ${oneStepGd}`);
      assert.ok(model < 1.25 * oneStepGd, `trained model (${model}) is far worse than one-step GD (${oneStepGd})`);
      const tile = await page.locator('[data-readout="test"]').innerText();
      assert.match(tile, /±/, `test tile reads ${JSON.stringify(tile)}`);

      // Which algorithm the model learned: for Σ = I the candidates are one-step GD and ridge.
      assert.ok(s.identification, 'no algorithm identification after training');
      assert.equal(s.identification.best, 'oneStepGd', `identified as ${JSON.stringify(s.identification)}`);
      for (const m of s.identification.matches) assert.ok(Number.isFinite(m.r2), `${m.label}: R² ${m.r2}`);
      const ident = await page.getByTestId('identification').innerText();
      assert.match(ident, /behaves like:\s*one-step GD\s*— R² \d/, `identification reads ${JSON.stringify(ident)}`);
      assert.match(ident, /ridge R²/, `identification lacks the other candidates: ${JSON.stringify(ident)}`);

      // Test MSE against context length, measured once after training, up to 4n.
      s = await waitForLab(page, (s) => s.lengthCurve !== null && s.lengthCurve !== 'pending', undefined, 30_000);
      await page.waitForFunction(() => (document.querySelector('[data-testid="length-plot"]')?.data ?? []).length >= 3);
      const lengths = await plotData(page, '[data-testid="length-plot"]');
      assert.ok(lengths.traces.length >= 3, `length plot traces: ${lengths.traces.map((t) => t.name)}`);
      for (const name of ['model', 'one-step GD', 'ridge'])
        assert.ok(lengths.traces.some((t) => t.name.includes(name)), `length plot lacks ${name}: ${lengths.traces.map((t) => t.name)}`);
      for (const t of lengths.traces) {
        assert.equal(t.x.at(-1), 40, `${t.name}: last length ${t.x.at(-1)}, expected 4n = 40`);
        assert.ok(t.y.every((v) => Number.isFinite(v) && v > 0), `${t.name}: bad MSE values ${t.y}`);
      }
      assert.equal(lengths.shapes, 1, 'no line at the training n');
      assert.equal((await snapshot(page)).heatmapsDrawn, 4, 'expected W_KQ, W_PV, Γ_eff and Γ*');

      // Let the last throttled redraw land before the picture is taken.
      await page.waitForTimeout(300);
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-first-page.png') });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'Copy link puts the spec link on the clipboard; W_KQ exports as PNG (2×), SVG, CSV, JSON; the experiment as JSON',
    async run({ gpuContext, origin }) {
      await gpuContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=3&n=10&B=256&T=200&lr=0.02&ep=1024');
      let s = await waitForLab(page, (s) => s.status === 'ready');

      // Copy link: the clipboard holds the address, which decodes to the page's spec.
      await page.click('button[data-action="copy-link"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="share-status"]')?.textContent === 'Link copied', undefined, { timeout: 5_000 });
      const clip = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(clip, page.url());
      const decoded = await page.evaluate((q) => window.__iclLab.decodeSpec(q), new URL(clip).search);
      assert.deepEqual(decoded.errors, [], `the copied link has errors: ${JSON.stringify(decoded.errors)}`);
      assert.deepEqual(decoded.spec, s.spec, 'the copied link decodes to another spec');
      assert.equal(new URL(clip).search, `?${s.query}`);
      // A refused clipboard: the link is shown selected in a read-only field instead.
      await page.evaluate(() => {
        navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
      });
      await page.click('button[data-action="copy-link"]');
      const field = page.getByTestId('share-field');
      await field.waitFor({ timeout: 5_000 });
      assert.equal(await field.inputValue(), page.url());
      assert.ok(await field.evaluate((el) => el.readOnly && el.selectionStart === 0 && el.selectionEnd === el.value.length), 'the fallback field is not read-only and selected');

      await page.click('button[data-action="train"]');
      s = await waitForLab(page, (s) => s.status === 'done', undefined, 60_000);
      assert.equal(s.step, 200);
      await page.waitForTimeout(300);
      const fig = await plotData(page, '[data-heatmap="W_KQ"]');
      const z = fig.traces[0].z;
      const frozen = fig.traces[1].z.map((row) => row.map((v) => v !== null && v !== undefined));

      // PNG at twice the plot's CSS size.
      const png = await exportDownload(page, 'W_KQ', 'W_KQ:png');
      assert.equal(png.name, 'icl-lab_W_KQ.png');
      const css = await page.evaluate(() => {
        const el = document.querySelector('[data-heatmap="W_KQ"]');
        return { width: el.clientWidth, height: el.clientHeight };
      });
      assert.deepEqual(pngSize(png.body), { width: 2 * css.width, height: 2 * css.height }, `PNG size vs CSS size ${JSON.stringify(css)}`);

      // SVG, through the keyboard: Enter opens the menu on PNG, ↓ moves to SVG, Enter exports.
      await page.focus('[data-export-menu="W_KQ"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-export') === 'W_KQ:png');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-export')), 'W_KQ:svg');
      const [svgDownload] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.keyboard.press('Enter')]);
      assert.equal(svgDownload.suggestedFilename(), 'icl-lab_W_KQ.svg');
      const svgText = (await readFile(await svgDownload.path())).toString('utf8');
      const svg = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return { root: doc.documentElement.localName, error: doc.getElementsByTagName('parsererror').length > 0 };
      }, svgText);
      assert.deepEqual(svg, { root: 'svg', error: false }, 'the SVG does not parse to an <svg> root');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-export-menu')), 'W_KQ', 'focus did not return to the menu button');

      // CSV: the coordinate labels, then exactly the drawn matrix.
      const csv = await exportDownload(page, 'W_KQ', 'W_KQ:csv');
      assert.equal(csv.name, 'icl-lab_W_KQ.csv');
      const lines = csv.body.toString('utf8').trimEnd().split('\n');
      assert.equal(lines[0], 'x1,x2,x3,y');
      const rows = lines.slice(1).map((l) => l.split(',').map(Number));
      assert.deepEqual(rows, z, 'the CSV differs from the heatmap');

      // JSON: the same numbers, the no-gradient flags the heatmap marks, the caption.
      const json = await exportDownload(page, 'W_KQ', 'W_KQ:json');
      assert.equal(json.name, 'icl-lab_W_KQ.json');
      const m = JSON.parse(json.body.toString('utf8'));
      assert.deepEqual([m.name, m.rows, m.cols], ['W_KQ', 4, 4]);
      assert.deepEqual(m.data, z.flat());
      assert.deepEqual(m.noGradient, frozen.flat());
      const caption = page.locator('section[aria-label="W_KQ"] .caption');
      assert.equal(m.caption, await caption.getAttribute('data-caption'));
      // The page typesets the caption's math (KaTeX), the file keeps it as text.
      await caption.locator('.katex').first().waitFor();
      assert.match(await caption.locator('.tex').first().getAttribute('data-tex'), /W_\{KQ\}/);

      // The whole experiment.
      const [expDownload] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click('button[data-action="export-experiment"]')]);
      assert.equal(expDownload.suggestedFilename(), 'icl-lab_experiment.json');
      const exp = JSON.parse((await readFile(await expDownload.path())).toString('utf8'));
      s = await snapshot(page);
      assert.equal(exp.format, 'icl-lab-experiment');
      assert.equal(exp.formatVersion, 1);
      assert.deepEqual(exp.spec, s.spec, 'the exported spec differs from the page');
      assert.equal(exp.share, s.query);
      assert.equal(exp.shareUrl, page.url());
      assert.equal(exp.steps, 200);
      const D = 4;
      assert.equal(exp.params.count, 2 * D * D);
      assert.equal(exp.params.data.length, 2 * D * D);
      const kq = exp.params.layout.find((l) => l.name === 'W_KQ');
      assert.deepEqual(exp.params.data.slice(kq.offset, kq.offset + D * D), z.flat(), 'W_KQ in the flat params differs from the heatmap');
      assert.deepEqual(exp.matrices.W_KQ.data, z.flat());
      assert.ok(exp.lossHistory.step.length > 0 && exp.lossHistory.step.length === exp.lossHistory.loss.length);
      assert.equal(exp.lossHistory.step.at(-1), 200);
      assert.ok(exp.test && Number.isFinite(exp.test.model.mean), 'no test MSE in the export');
      assert.equal(exp.identification?.best, s.identification.best);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'Pause, Resume, Reset, and a field change rebuilds the run (after confirmation)',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=3&n=10&B=256&T=20000&lr=0.02&ep=1024');
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s) => s.status === 'running' && s.step >= 50);
      await page.click('button[data-action="pause"]');
      let s = await waitForLab(page, (s) => s.status === 'paused');
      const pausedAt = s.step;
      assert.ok(pausedAt > 0 && pausedAt < 20000, `paused at step ${pausedAt}`);
      await page.waitForTimeout(400);
      assert.equal((await snapshot(page)).step, pausedAt, 'steps kept coming while paused');

      // Declining the confirmation keeps the run and the spec.
      const dInput = page.locator('[data-field="task.d"] input[type="text"]');
      await dInput.fill('2');
      await dInput.press('Enter');
      const dialogText = await answerConfirm(page, false);
      assert.match(dialogText, /discards/);
      s = await snapshot(page);
      assert.equal(s.step, pausedAt);
      assert.ok(new URL(page.url()).search.includes('&d=3&'), 'spec changed although the change was declined');
      await page.waitForFunction(() => document.querySelector('[data-field="task.d"] input[type="text"]')?.value === '3');

      // Resume, then pause again.
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s, at) => s.status === 'running' && s.step > at + 20, pausedAt);
      await page.click('button[data-action="pause"]');
      await waitForLab(page, (s) => s.status === 'paused');

      // Accepting it starts a new run with the new d.
      await dInput.fill('2');
      await dInput.press('Enter');
      await answerConfirm(page, true);
      s = await waitForLab(page, (s) => s.status === 'ready' && s.spec.task.d === 2);
      assert.equal(s.step, 0);
      assert.ok(new URL(page.url()).search.includes('&d=2&'), `URL ${page.url()} does not hold d=2`);
      await page.waitForFunction(() => document.querySelector('[data-heatmap="W_KQ"]')?.data?.[0]?.z?.length === 3);
      await assertHeatmaps(page, 2);
      assert.ok(Math.abs(s.lStar - lStar(2, 10, 0.1)) < 1e-9, `L* ${s.lStar} not updated for d = 2`);

      // Train a little, then Reset back to step 0 with the loss curve cleared.
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s) => s.step >= 30);
      await page.click('button[data-action="reset"]');
      s = await waitForLab(page, (s) => s.status === 'ready' && s.step === 0);
      assert.equal(s.firstLoss, null);
      await page.waitForFunction(() => {
        const t = document.querySelector('[data-testid="loss-plot"]')?.data?.[0];
        return t !== undefined && t.x.length === 0;
      });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'a mangled link shows a banner, applies the valid rest, and still trains',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=abc&n=10&B=256&T=200&lr=0.02&s2=-1&bogus=7&ep=1024');
      const banner = page.getByTestId('notice');
      await banner.first().waitFor({ state: 'visible', timeout: 20_000 });
      const text = await banner.first().innerText();
      for (const bit of ['task.d', 'task.noiseVar', 'bogus']) assert.ok(text.includes(bit), `banner lacks ${bit}: ${text}`);
      let s = await waitForLab(page, (s) => s.status === 'ready');
      // d fell back to its default (5); the valid fields were kept.
      const search = new URL(page.url()).search;
      for (const part of ['d=5', 'n=10', 'T=200', 's2=0.1']) assert.ok(search.includes(part), `URL ${search} lacks ${part}`);
      assert.ok(!search.includes('bogus'), 'the unknown parameter stayed in the URL');
      await page.click('button[data-action="train"]');
      s = await waitForLab(page, (s) => s.status === 'done', undefined, 80_000);
      assert.equal(s.step, 200);
      assert.ok(s.lastLoss < 0.6 * s.firstLoss, `loss did not fall: first ${s.firstLoss}, last ${s.lastLoss}`);
      await assertHeatmaps(page, 5);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'export a paused run, import it into another page, and Train finishes it bit for bit as an uninterrupted run',
    async run({ gpuContext, origin }) {
      // Long enough (6000 steps) that B can be paused part way on a fast adapter.
      const RESUME = 'v=1&d=3&n=10&B=64&T=6000&lr=0.02&opt=adam&ep=1024';
      // A: the uninterrupted run.
      const a = await open(gpuContext, origin, RESUME);
      await waitForLab(a.page, (s) => s.status === 'ready');
      await a.page.click('button[data-action="train"]');
      const sa = await waitForLab(a.page, (s) => s.status === 'done', undefined, 80_000);
      assert.equal(sa.step, 6000);
      assert.equal(sa.params.length, 2 * 4 * 4);
      assertNoProblems(a.problems);
      await a.page.close();

      // B: the same spec, paused part way and exported.
      const b = await open(gpuContext, origin, RESUME);
      await waitForLab(b.page, (s) => s.status === 'ready');
      await b.page.click('button[data-action="train"]');
      await waitForLab(b.page, (s) => s.step >= 100, undefined, 60_000);
      await b.page.click('button[data-action="pause"]', { timeout: 5_000 });
      const sb = await waitForLab(b.page, (s) => s.status === 'paused');
      assert.ok(sb.step >= 100 && sb.step < 6000, `paused at step ${sb.step}`);
      const [download] = await Promise.all([b.page.waitForEvent('download', { timeout: 20_000 }), b.page.click('button[data-action="export-experiment"]')]);
      const file = await download.path();
      const exp = JSON.parse((await readFile(file)).toString('utf8'));
      // The export writes -0 (and non-finite values) as strings.
      const numbers = (a) => a.map((v) => (v === '-0' ? -0 : v));
      assert.equal(exp.steps, sb.step);
      assert.equal(exp.status, 'paused');
      assert.deepEqual(numbers(exp.params.data), sb.params, 'the exported params differ from the page');
      assert.equal(exp.optimizerState?.data?.length, 2 * 2 * 4 * 4, 'no optimizer state (Adam m and v) in the export');
      assert.equal(exp.lossHistory.step.at(-1), sb.step);
      assertNoProblems(b.problems);
      await b.page.close();

      // C: another spec; the import replaces it, paused at B's step.
      const c = await open(gpuContext, origin, 'v=1&d=2&n=20&B=128&T=500&lr=0.01&ep=1024');
      await waitForLab(c.page, (s) => s.status === 'ready');
      // The button opens the file picker from the keyboard (in the frontmost tab:
      // other tests' pages share this browser).
      await c.page.bringToFront();
      const [chooser] = await Promise.all([
        c.page.waitForEvent('filechooser', { timeout: 20_000 }),
        // Focus and key press in one step, so nothing can take the focus in between.
        c.page.press('button[data-action="import-experiment"]', 'Enter'),
      ]);
      await chooser.setFiles(file);
      let sc = await waitForLab(c.page, (s, step) => s.status === 'paused' && s.step === step && s.params !== null, exp.steps);
      assert.equal(sc.query, exp.share, 'the imported spec differs from the exported one');
      assert.deepEqual(sc.spec, exp.spec);
      assert.ok(new URL(c.page.url()).search.includes('&d=3&'), `URL ${c.page.url()} does not hold the imported spec`);
      assert.deepEqual(sc.params, numbers(exp.params.data), 'the imported parameters differ from the file');
      assert.deepEqual(sc.lossHistory, exp.lossHistory, 'the loss history was not restored');
      await c.page.waitForFunction(() => document.querySelector('[data-heatmap="W_KQ"]')?.data?.[0]?.z?.length === 4);
      await assertHeatmaps(c.page, 3);
      const kq = await plotData(c.page, '[data-heatmap="W_KQ"]');
      assert.deepEqual(kq.traces[0].z.flat(), numbers(exp.matrices.W_KQ.data), 'the W_KQ heatmap does not show the imported parameters');

      // A mangled file: a notice names the problem; the experiment is untouched.
      const bad = structuredClone(exp);
      bad.params.data[3] = 'NaN';
      bad.spec.task.d = 'abc';
      await c.page.setInputFiles('[data-testid="import-experiment-file"]', { name: 'mangled.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
      sc = await waitForLab(c.page, (s) => s.notices.some((n) => n.startsWith('Could not import the experiment')));
      const note = sc.notices.find((n) => n.startsWith('Could not import the experiment'));
      assert.ok(note.includes('task.d'), `the notice does not name the bad field: ${note}`);
      await c.page.setInputFiles('[data-testid="import-experiment-file"]', { name: 'not.json', mimeType: 'application/json', buffer: Buffer.from('<b>not json</b>') });
      sc = await waitForLab(c.page, (s) => s.notices.some((n) => n.includes('not JSON')));
      assert.equal(await c.page.locator('[data-testid="notice"] b').count(), 0, 'file text was injected as HTML');
      assert.equal(sc.status, 'paused');
      assert.equal(sc.step, exp.steps);
      assert.equal(sc.query, exp.share);
      assert.deepEqual(sc.params, numbers(exp.params.data));

      // Train resumes the run; it ends where the uninterrupted run ended, bit for bit.
      await c.page.click('button[data-action="train"]');
      sc = await waitForLab(c.page, (s) => s.status === 'done', undefined, 80_000);
      assert.equal(sc.step, 6000);
      assert.ok(sa.params.every((v, i) => Object.is(Math.fround(v), Math.fround(sc.params[i]))), 'the resumed run ended elsewhere than the uninterrupted one');
      assert.deepEqual(sc.params, sa.params);
      assertNoProblems(c.problems);
      await c.page.close();
    },
  },
  {
    name: 'softmax attention, H = 2 from the presets: per-head KQ/OV heatmaps, ω/μ per head, test MSE vs GD and ridge',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL);
      await waitForLab(page, (s) => s.status === 'ready');
      // One click loads He et al.'s recipe with two heads (no progress yet, so no question asked).
      const picker = page.getByTestId('preset-picker');
      await picker.selectOption('he-h2');
      let s = await waitForLab(page, (s) => s.status === 'ready' && s.softmax !== null);
      let search = new URL(page.url()).search;
      for (const part of ['model=softmax', 'H=2', 'init=default', 'd=5', 'n=40', 'lr=0.001', 'B=256', 'T=20000']) {
        assert.ok(search.includes(part), `URL ${search} lacks ${part}`);
      }
      assert.equal(await picker.inputValue(), 'he-h2');
      assert.equal(await page.locator('[data-field="model.heads"] input[type="text"]').inputValue(), '2');
      assert.equal(await page.locator('[data-field="model.init"] select').inputValue(), 'default');
      assert.equal(s.softmax.omega.length, 2);
      assert.equal(s.omegaMuPoints, 1, 'the ω/μ history should start with the initial weights');

      // A short run through the controls: 1200 steps at lr 0.003 instead of 20 000 at 0.001 (the
      // heads still split into opposite-sign μ, which makes a more telling screenshot than noise).
      for (const [path, value] of [
        ['train.steps', '1200'],
        ['optimizer.lr', '0.003'],
      ]) {
        const input = page.locator(`[data-field="${path}"] input[type="text"]`);
        await input.fill(value);
        await input.press('Enter');
      }
      await waitForLab(page, (s) => s.status === 'ready' && s.totalSteps === 1200);
      assert.ok(new URL(page.url()).search.includes('&lr=0.003&'), `URL ${page.url()} does not hold lr=0.003`);
      assert.equal(await picker.inputValue(), '', 'the picker still selects a preset the spec no longer matches');
      assert.match(await picker.locator('option:checked').innerText(), /H = 2 \(edited\)/);
      await page.click('button[data-action="train"]');
      s = await waitForLab(page, (s) => s.status === 'done', undefined, 80_000);
      assert.equal(s.step, 1200);
      assert.ok(Number.isFinite(s.firstLoss) && Number.isFinite(s.lastLoss), `losses ${s.firstLoss}, ${s.lastLoss}`);
      assert.ok(s.lastLoss < 0.7 * s.firstLoss, `loss did not fall: first ${s.firstLoss}, last ${s.lastLoss}`);
      assert.equal(s.heatmapsDrawn, 4, `${s.heatmapsDrawn} heatmaps drawn, expected KQ and OV for each of 2 heads`);
      for (const h of [1, 2]) await assertHeadHeatmaps(page, h, 5);

      // ω_h and μ_h: one line per head each, up to the last step.
      await page.waitForFunction(() => {
        const traces = document.querySelector('[data-testid="omega-mu-plot"]')?.data ?? [];
        return traces.length === 4 && traces.every((t) => t.x.length > 0 && t.x[t.x.length - 1] === 1200);
      });
      const om = await plotData(page, '[data-testid="omega-mu-plot"]');
      const omegas = om.traces.filter((t) => t.name.startsWith('ω'));
      const mus = om.traces.filter((t) => t.name.startsWith('μ'));
      assert.equal(omegas.length, 2, `ω traces: ${om.traces.map((t) => t.name)}`);
      assert.equal(mus.length, 2, `μ traces: ${om.traces.map((t) => t.name)}`);
      for (const t of [...omegas, ...mus]) {
        assert.ok(t.x.length >= 2, `${t.name}: ${t.x.length} points`);
        assert.ok(t.y.every(Number.isFinite), `${t.name}: non-finite points`);
      }
      assert.ok(Math.abs(omegas[0].y.at(-1) - s.softmax.omega[0]) < 1e-9, 'ω₁ line does not end at the latest ω₁');

      // Per-head table and the zero-sum score.
      assert.equal(await page.locator('[data-testid="head-table"] tbody tr').count(), 2);
      assert.match(await page.getByTestId('zero-sum').innerText(), /zero-sum.*\d/);

      // Test MSE next to one-step GD and the Bayes-optimal ridge predictor.
      assert.ok(s.evaluation, 'no test evaluation after training');
      const { model, oneStepGd, ridge } = s.evaluation;
      for (const v of [model, oneStepGd, ridge]) assert.ok(Number.isFinite(v), `test MSE ${model} / ${oneStepGd} / ${ridge}`);
      assert.ok(ridge < oneStepGd, `ridge (${ridge}) is not below one-step GD (${oneStepGd})`);
      assert.match(await page.locator('[data-readout="test"]').innerText(), /GD[\s\S]*ridge/);

      // He et al.'s reduced predictor at the learned (ω_h, μ_h): the preset's task is the one L̃ is derived
      // for (Σ = I, τ² = 1/d, σ² = 0.1, noisy query), so it is compared, after training.
      s = await waitForLab(page, (s) => s.reduced !== null && s.reduced !== 'pending', undefined, 30_000);
      const r = s.reduced;
      assert.equal(r.available, true, `reduced comparison: ${JSON.stringify(r)}`);
      for (const v of [r.learnedApproxLoss, r.mcMean, r.mcStderr, r.infimum]) assert.ok(Number.isFinite(v), `reduced numbers ${JSON.stringify(r)}`);
      const approx = heApproxLoss(s.softmax.omega, s.softmax.mu, 5, 40, 0.1);
      assert.ok(Math.abs(r.learnedApproxLoss - approx) < 1e-9 * approx, `L̃ ${r.learnedApproxLoss}, at the shown (ω, μ) ${approx}`);
      assert.ok(r.mcStderr > 0 && r.mcStderr < 0.1 * r.mcMean, `Monte Carlo ${r.mcMean} ± ${r.mcStderr}`);
      const cd = (1.1 / 40) * 5;
      assert.ok(Math.abs(r.infimum - (0.1 + cd / (1 + cd))) < 1e-12, `inf L̃ ${r.infimum}`);
      assert.equal(r.attained, false, 'with two heads inf L̃ is not attained');
      assert.ok(r.learnedApproxLoss >= r.infimum, `L̃ ${r.learnedApproxLoss} below its infimum ${r.infimum}`);
      const card = page.getByTestId('reduced-readout');
      const cardText = await card.innerText();
      assert.match(cardText, /approximate/);
      assert.match(cardText, /not attained/);
      assert.match(await card.locator('[data-reduced="mc"]').innerText(), /\d\s*±\s*\d/);
      for (const row of ['approx', 'mc', 'infimum']) {
        const value = await card.locator(`[data-reduced="${row}"] .reduced-value`).innerText();
        assert.ok(Number.isFinite(Number(value.split('±')[0].trim().replace('−', '-'))), `${row} reads ${JSON.stringify(value)}`);
      }
      console.log(`      (reduced-predictor Monte Carlo: ${r.busyMs.toFixed(0)} ms of main-thread time in ${r.slices} slices, ${r.wallMs.toFixed(0)} ms wall)`);

      // Per-head colour scales print each head's ranges; the shared scale (the default) prints one pair.
      const shared = page.getByTestId('shared-scale');
      await shared.uncheck();
      await page.locator('.head-ranges').nth(1).waitFor();
      assert.equal(await page.getByTestId('shared-ranges').count(), 0);
      await shared.check();
      await page.getByTestId('shared-ranges').waitFor();

      // A preset discards trained steps only after asking.
      await picker.selectOption('he-h4');
      const dialogText = await answerConfirm(page, false);
      assert.match(dialogText, /discards/);
      search = new URL(page.url()).search;
      assert.ok(search.includes('&H=2&') && search.includes('T=1200'), `spec changed although the preset was declined: ${search}`);
      assert.equal((await snapshot(page)).step, 1200);
      await page.waitForFunction(() => document.querySelector('[data-testid="preset-picker"]')?.value === '');

      await page.waitForTimeout(400);
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-softmax.png') });

      // He et al.'s pattern with each head's own ω_h, μ_h, under the learned maps (off by default).
      assert.equal(await page.getByTestId('show-pattern').isChecked(), false);
      assert.equal(await page.getByTestId('pattern-maps').count(), 0);
      await assertPatternHeatmaps(page, 2, 5);
      await page.locator('section[aria-label="attention heads"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(300);
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-results', 'screenshot-softmax-pattern.png') });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'LSA on AR(1) data: identified as preconditioned GD, spectra of Γ_eff and Γ* live while training, ‖Γ_eff − Γ*‖/‖Γ*‖',
    async run({ gpuContext, origin }) {
      const d = 4;
      const { page, problems } = await open(gpuContext, origin, `v=1&d=${d}&n=20&cov=ar1&rho=0.7&B=256&T=3000&lr=0.01&sched=cosine&ep=4096`);
      await waitForLab(page, (s) => s.status === 'ready');
      // Before training: Γ*, and Γ_eff of the initial weights once the theory is known (it may come first).
      await page.waitForFunction(() => (document.querySelector('[data-testid="gamma-spectra"]')?.data ?? []).some((t) => t.name === 'Γ*'));
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s) => s.status === 'running' && s.step >= 200);
      await page.click('button[data-action="pause"]');
      let s = await waitForLab(page, (s) => s.status === 'paused');
      // Live: the spectra follow the latest weights while training (here, paused partway).
      await page.waitForFunction(() => (document.querySelector('[data-testid="gamma-spectra"]')?.data ?? []).length === 2);
      await page.waitForTimeout(300);
      const early = await assertSpectra(page, d);
      await page.click('button[data-action="train"]');
      s = await waitForLab(page, (s) => s.status === 'done', undefined, 60_000);
      assert.equal(s.step, 3000);
      await page.waitForTimeout(300);
      await assertGammaHeatmaps(page, d);
      const late = await assertSpectra(page, d);
      assert.ok(late.eff.some((v, i) => v !== early.eff[i]), 'the Γ_eff spectrum did not change after the pause');
      assert.ok(late.rel < 0.3, `Γ_eff is far from Γ*: relative error ${late.rel}`);
      // AR(1) Σ is not a multiple of I, so Γ* is not η*·I and its spectrum is spread.
      assert.ok(late.star[0] > 2 * late.star[d - 1], `Γ* spectrum ${late.star}`);
      assert.ok(s.identification, 'no algorithm identification after training');
      assert.equal(s.identification.best, 'preconditionedGd', `identified as ${JSON.stringify(s.identification)}`);
      const ident = await page.getByTestId('identification').innerText();
      assert.match(ident, /behaves like:\s*preconditioned GD\s*— R² \d/, `identification reads ${JSON.stringify(ident)}`);
      assert.equal(await page.getByTestId('task-picker').count(), 0, 'a task picker for a single task');
      assert.equal(await page.getByTestId('reduced-card').count(), 0, 'the reduced-predictor card on an LSA run');
      await waitForLab(page, (s) => s.lengthCurve !== null && s.lengthCurve !== 'pending', undefined, 30_000);

      await page.evaluate(() => document.querySelector('section[aria-label="learned Γ_eff vs theory Γ*"]').scrollIntoView({ block: 'end' }));
      await page.waitForTimeout(300);
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-spectra.png') });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'LSA with two tasks: W_KQ, W_PV (d+k)×(d+k) with label rows/columns, Γ_eff and Γ* per task',
    async run({ gpuContext, origin }) {
      const [d, k] = [6, 2];
      const { page, problems } = await open(gpuContext, origin, `v=1&d=${d}&K=${k}&ws=4&wst=2&n=20&tau2=0.25&B=256&T=200&lr=0.01&ep=4096`);
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      let s = await waitForLab(page, (s) => s.status === 'done', undefined, 60_000);
      await page.waitForTimeout(300);
      await assertHeatmaps(page, d, k);
      const tokens = ['x₁', 'x₂', 'x₃', 'x₄', 'x₅', 'x₆', 'y₁', 'y₂'];
      for (const name of ['W_KQ', 'W_PV']) {
        const ticks = await axisTicks(page, `[data-heatmap="${name}"]`);
        assert.deepEqual(ticks, { x: tokens, y: tokens }, `${name} axis labels ${JSON.stringify(ticks)}`);
      }
      assert.equal(s.outputs?.length, k);

      // The Γ card reads output t: Γ_eff⁽ᵗ⁾ = (W_PV)_{d+t,d+t}·(W_KQ)_{1:d,1:d} against task t's Γ*, which is zero
      // outside the task's window (x[0:4], then x[2:6]).
      const card = page.locator('section[aria-label="learned Γ_eff vs theory Γ*"]');
      const pv = (await plotData(page, '[data-heatmap="W_PV"]')).traces[0].z;
      const gammas = [];
      for (const [t, zeroAt] of [
        [1, [4, 5]],
        [2, [0, 1]],
      ]) {
        await card.locator(`[data-testid="task-picker"] button[data-task="${t}"]`).click();
        await page.waitForFunction((z) => document.querySelector('[data-heatmap="Γ*"]')?.data?.[0]?.z?.[z]?.[z] === 0, zeroAt[0]);
        await page.waitForTimeout(200);
        await assertGammaHeatmaps(page, d);
        const star = (await plotData(page, '[data-heatmap="Γ*"]')).traces[0].z;
        for (const i of zeroAt) for (let j = 0; j < d; j++) assert.equal(star[i][j], 0, `task ${t}: Γ*[${i}][${j}] = ${star[i][j]}`);
        assert.ok(star[2][2] > 0, `task ${t}: Γ*[2][2] = ${star[2][2]}`);
        gammas.push((await plotData(page, '[data-heatmap="Γ_eff"]')).traces[0].z);
        // Γ* has zero eigenvalues here, so the spectra go on a linear axis.
        const spectra = await assertSpectra(page, d);
        assert.equal(spectra.star.filter((v) => Math.abs(v) < 1e-12).length, 2, `task ${t}: Γ* spectrum ${spectra.star}`);
      }
      // One shared x-block: the two outputs' Γ_eff differ by the ratio of W_PV's label diagonal entries.
      const ratio = pv[d + 1][d + 1] / pv[d][d];
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++)
          assert.ok(Math.abs(gammas[1][i][j] - ratio * gammas[0][i][j]) < 1e-5 * (1 + Math.abs(gammas[1][i][j])), `Γ_eff⁽²⁾[${i}][${j}] ≠ ${ratio}·Γ_eff⁽¹⁾`);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'two tasks on windows of x, four softmax heads: KQ (d+k)×(d+k), OV (d+k)×k, mean L*, per-task identification and length curves',
    async run({ gpuContext, origin }) {
      const [d, k, ws, n, s2, tau2, H] = [6, 2, 4, 20, 0.1, 0.25, 4];
      const D = d + k;
      const { page, problems } = await open(
        gpuContext,
        origin,
        `v=1&model=softmax&init=default&H=${H}&d=${d}&K=${k}&ws=${ws}&wst=2&n=${n}&tau2=${tau2}&s2=${s2}&lr=0.003&B=256&T=400&ep=4096`,
      );
      let s = await waitForLab(page, (s) => s.status === 'ready' && s.softmax !== null);
      assert.equal(s.tasks, k);
      // The loss is the mean over outputs, so the reference line is the mean of the tasks' L*
      // (equal here: Σ = I and windows of one size).
      const expected = lStarWindow(d, ws, n, s2, tau2);
      assert.ok(Math.abs(s.lStar - expected) < 1e-9 * expected, `mean L* = ${s.lStar}, closed form ${expected}`);
      const dims = await page.locator('section[aria-label="attention heads"] h2 .dims').innerText();
      assert.match(dims, new RegExp(`${D}×${D}.*${D}×${k}`), `heads card dims read ${JSON.stringify(dims)}`);

      await page.click('button[data-action="train"]');
      s = await waitForLab(page, (s) => s.status === 'done', undefined, 80_000);
      assert.equal(s.step, 400);
      assert.ok(s.lastLoss < 0.7 * s.firstLoss, `loss did not fall: first ${s.firstLoss}, last ${s.lastLoss}`);
      assert.equal(s.heatmapsDrawn, 2 * H);
      for (let h = 1; h <= H; h++) await assertHeadHeatmaps(page, h, d, k);
      const tokens = ['x₁', 'x₂', 'x₃', 'x₄', 'x₅', 'x₆', 'y₁', 'y₂'];
      const kqTicks = await axisTicks(page, '[data-heatmap="KQ^1"]');
      assert.deepEqual(kqTicks, { x: tokens, y: tokens }, `KQ¹ axis labels ${JSON.stringify(kqTicks)}`);
      const ovTicks = await axisTicks(page, '[data-heatmap="OV^1"]');
      assert.deepEqual(ovTicks.x, ['ŷ₁', 'ŷ₂'], `OV¹ column labels ${JSON.stringify(ovTicks)}`);
      // μ_h for each task in the head table.
      assert.equal(await page.locator('[data-testid="head-table"] thead th', { hasText: 'task' }).count(), k);

      const loss = await plotData(page, '[data-testid="loss-plot"]');
      const line = loss.traces.find((t) => t.name.startsWith('L*'));
      assert.ok(line, `no L* line: ${loss.traces.map((t) => t.name)}`);
      assert.match(line.name, /mean of 2 tasks/);
      assert.ok(line.y.every((v) => Math.abs(v - expected) < 1e-9 * expected), `L* line at ${line.y}`);

      // Each task identified on its own, named by its window.
      assert.equal(s.outputs?.length, k, `outputs: ${JSON.stringify(s.outputs)}`);
      assert.deepEqual(
        s.outputs.map((o) => o.window),
        [
          [0, 4],
          [2, 6],
        ],
      );
      const lines = page.getByTestId('identification-task');
      assert.equal(await lines.count(), k);
      for (let t = 0; t < k; t++) {
        const o = s.outputs[t];
        for (const m of o.matches) assert.ok(Number.isFinite(m.r2), `task ${t + 1}: ${m.predictor} R² ${m.r2}`);
        assert.ok(Number.isFinite(o.model) && o.model > 0, `task ${t + 1}: test MSE ${o.model}`);
        const text = await lines.nth(t).innerText();
        const [a, b] = o.window;
        // A candidate at R² ≥ 0.95 is named; below, the line says none explains the task and names the closest.
        const best0 = o.matches.find((x) => x.predictor === o.best);
        const m = best0.r2 >= 0.95
          ? text.match(new RegExp(`task ${t + 1} · x\\[${a}:${b}\\] behaves like\\s*(.+?)\\s*— R² (\\d\\.\\d+)`))
          : text.match(new RegExp(`task ${t + 1} · x\\[${a}:${b}\\] behaves like\\s*no candidate\\s*— closest: (.+?), R² (\\d\\.\\d+) \\(below 0\\.95\\)`));
        assert.ok(m, `task ${t + 1} line reads ${JSON.stringify(text)}`);
        assert.equal(m[1], best0.label, `task ${t + 1} names ${m[1]}, the evaluation's best ${best0.label}`);
        const best = o.matches.find((x) => x.predictor === o.best);
        assert.ok(Math.abs(Number(m[2]) - best.r2) < 1e-4, `task ${t + 1}: R² ${m[2]} vs ${best.r2}`);
        for (const other of ['one-step GD', 'debiased GD', 'ridge', 'least squares'].filter((l) => l !== best0.label))
          assert.ok(text.includes(`${other} R²`), `task ${t + 1} line lacks ${other}: ${JSON.stringify(text)}`);
      }

      // L̃ is not derived for several outputs: the card says so instead of comparing.
      await page.getByTestId('reduced-unavailable').waitFor({ timeout: 10_000 });
      assert.match(await page.getByTestId('reduced-unavailable').innerText(), /single output/);

      // One length curve per task; the picker switches the plot between them.
      s = await waitForLab(page, (s) => s.lengthCurves === 2, undefined, 40_000);
      await page.waitForFunction(() => (document.querySelector('[data-testid="length-plot"]')?.data ?? []).length >= 3);
      const first = await plotData(page, '[data-testid="length-plot"]');
      const picker = page.getByTestId('task-picker');
      assert.equal(await picker.locator('button[aria-pressed="true"]').innerText(), 'task 1 · x[0:4]');
      await picker.locator('button[data-task="2"]').click();
      await page.waitForFunction(
        (y0) => {
          const y = document.querySelector('[data-testid="length-plot"]')?.data?.[0]?.y;
          return y !== undefined && Array.from(y).some((v, i) => v !== y0[i]);
        },
        first.traces[0].y,
      );
      const second = await plotData(page, '[data-testid="length-plot"]');
      assert.deepEqual(second.traces[0].x, first.traces[0].x);
      assert.ok(second.traces[0].y.every((v) => Number.isFinite(v) && v > 0), `task 2 model MSE ${second.traces[0].y}`);
      assert.equal(await picker.locator('button[aria-pressed="true"]').innerText(), 'task 2 · x[2:6]');
      await picker.locator('button[data-task="1"]').click();

      await page.waitForTimeout(400);
      await page.evaluate(() => window.scrollTo(0, document.querySelector('[data-testid="identification"]').getBoundingClientRect().top + window.scrollY - 12));
      await page.waitForTimeout(200);
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-multitask.png') });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'without WebGPU (navigator.gpu missing) the page says so clearly',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL, {
        beforeLoad: (p) =>
          p.addInitScript(() => {
            Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
          }),
      });
      const card = page.getByTestId('webgpu-unavailable');
      await card.waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await card.getAttribute('data-reason'), 'no-api');
      assert.match(await card.innerText(), /WebGPU is not available/);
      const s = await snapshot(page);
      assert.equal(s.status, 'unavailable');
      assert.ok(await page.locator('button[data-action="train"]').isDisabled(), 'Train is enabled without WebGPU');
      assert.equal(await page.locator('[data-testid="loss-plot"]').count(), 0);
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-results', 'webgpu-unavailable.png') });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'a browser without the WebGPU flag (no adapter) gets the message too',
    async run({ origin }) {
      const context = await launch({ webgpu: false });
      const { page, problems } = await open(context, origin, SMALL);
      const card = page.getByTestId('webgpu-unavailable');
      await card.waitFor({ state: 'visible', timeout: 20_000 });
      assert.ok(['no-adapter', 'no-api'].includes(await card.getAttribute('data-reason')));
      assert.match(await card.innerText(), /WebGPU is not available/);
      assertNoProblems(problems);
      await context.close();
    },
  },
  {
    name: 'a learning rate that diverges: training pauses with a message, and the matrices shown stay finite',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&model=lsa&d=4&n=10&B=64&T=3000&opt=sgd&lr=5&iscale=1');
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      const s = await waitForLab(page, (s) => s.status === 'diverged' && s.notices.some((n) => n.includes('diverged')), undefined, 60_000);
      assert.ok(await page.locator('button[data-action="train"]').isDisabled(), 'Train stays enabled after divergence');
      const note = s.notices.find((n) => n.includes('diverged'));
      assert.match(note, /^Training diverged: The batch loss (became NaN or infinite|reached \S+) at step \d+[^;]*; the last finite parameters are from step \d+/);
      assert.match(note, /Try a smaller learning rate \(now 5\)/);
      assert.ok(s.step < 3000, `step ${s.step}`);
      const kq = await plotData(page, '[data-heatmap="W_KQ"]');
      const z = kq.traces.find((t) => t.type === 'heatmap').z.flat();
      assert.ok(z.length === 25 && z.every(Number.isFinite), `W_KQ shown: ${z}`);
      // Reset clears it and trains again from the same initialization.
      await page.click('button[data-action="reset"]');
      await waitForLab(page, (s) => s.status === 'ready' && s.step === 0);
      assertNoProblems(problems);
    },
  },
];

