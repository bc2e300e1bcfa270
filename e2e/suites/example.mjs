// Without WebGPU the page keeps its "not available" card and shows, below it,
// the precomputed example (src/ui/example/exampleResult.json): its loss curve
// with L*, W_KQ and W_PV, the identification and the test MSEs, each checked
// against the file's numbers. Screenshots: docs/screenshot-no-webgpu.png (the
// first screen), test-results/example-result-full-page.png (the whole page).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoProblems, open, plotData, ROOT, snapshot, waitForLab } from '../lib.mjs';

const EXAMPLE_FILE = join(ROOT, 'src', 'ui', 'example', 'exampleResult.json');

/** Equal to within float32 rounding (Plotly keeps the JSON's doubles, so this is loose on purpose). */
function close(a, b, what) {
  assert.ok(Number.isFinite(a) && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: page has ${a}, the example file ${b}`);
}

/** A matrix's flat row-major data as Plotly's z rows. */
function rowsOf(m) {
  return Array.from({ length: m.rows }, (_, r) => m.data.slice(r * m.cols, (r + 1) * m.cols));
}

export const tests = [
  {
    name: 'without WebGPU the page shows the precomputed example result below the message',
    async run({ gpuContext, origin }) {
      const example = JSON.parse(await readFile(EXAMPLE_FILE, 'utf8'));
      // No query: the page opens with the default spec, the one the example ran.
      const requested = [];
      const { page, problems } = await open(gpuContext, origin, '', {
        beforeLoad: async (p) => {
          p.on('request', (r) => requested.push(new URL(r.url()).pathname));
          await p.addInitScript(() => {
            Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
          });
        },
      });

      // The message is still there, unchanged.
      const card = page.getByTestId('webgpu-unavailable');
      await card.waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await card.getAttribute('data-reason'), 'no-api');
      assert.match(await card.innerText(), /WebGPU is not available/);
      assert.equal((await snapshot(page)).status, 'unavailable');
      // The live plots are not drawn; the example's own are.
      assert.equal(await page.locator('[data-testid="loss-plot"]').count(), 0);
      assert.equal(await page.locator('[data-heatmap]').count(), 0);

      // Below the message, labelled as precomputed.
      const ex = page.getByTestId('example-result');
      await ex.waitFor({ state: 'visible', timeout: 20_000 });
      const cardBox = await card.boundingBox();
      const exBox = await ex.boundingBox();
      assert.ok(exBox.y >= cardBox.y + cardBox.height, 'the example is not below the message');
      assert.match(await ex.locator('h2').first().innerText(), /^Example result \(precomputed with WebGPU, not live\)$/);
      // It came as its own chunk (the GPU path never asks for it: see the next test).
      assert.ok(requested.some((p) => /\/ExampleResult-[^/]*\.js$/.test(p)), `no example chunk among the requests: ${requested.join(', ')}`);
      const provenance = await page.getByTestId('example-provenance').innerText();
      assert.ok(provenance.includes(example.adapter), `provenance does not name the adapter: ${provenance}`);
      assert.ok(provenance.includes(example.date), `provenance does not give the date: ${provenance}`);

      // Loss curve and the dashed L*, with the file's numbers.
      await page.waitForFunction(
        () =>
          ['[data-testid="example-loss-plot"]', '[data-example-heatmap="W_KQ"]', '[data-example-heatmap="W_PV"]', '[data-testid="example-length-plot"]'].every(
            (sel) => (document.querySelector(sel)?.data?.length ?? 0) > 0,
          ),
        null,
        { timeout: 20_000 },
      );
      const loss = await plotData(page, '[data-testid="example-loss-plot"]');
      assert.equal(loss.traces.length, 2, `loss traces: ${loss.traces.map((t) => t.name)}`);
      const [curve, lStar] = loss.traces;
      assert.deepEqual(curve.x, example.lossHistory.step);
      assert.equal(curve.y.length, example.lossHistory.loss.length);
      curve.y.forEach((v, i) => close(v, example.lossHistory.loss[i], `loss[${i}]`));
      assert.match(lStar.name, /^L\*/);
      assert.deepEqual(lStar.x, [0, example.steps]);
      lStar.y.forEach((v) => close(v, example.lStar, 'L*'));
      const dash = await page.evaluate(() => document.querySelector('[data-testid="example-loss-plot"]').data[1].line.dash);
      assert.equal(dash, 'dash', 'L* is not dashed');

      // W_KQ and W_PV: the file's entries, on a colour scale centred at 0, no-gradient entries marked.
      for (const name of ['W_KQ', 'W_PV']) {
        const m = example.matrices.find((x) => x.name === name);
        assert.ok(m, `the example file has no ${name}`);
        const sel = `[data-example-heatmap="${name}"]`;
        const fig = await plotData(page, sel);
        const [main, frozen] = fig.traces;
        assert.equal(main.type, 'heatmap');
        assert.equal(main.z.length, m.rows, `${name}: ${main.z.length} rows`);
        const want = rowsOf(m);
        main.z.forEach((row, r) => {
          assert.equal(row.length, m.cols, `${name}: row ${r} has ${row.length} entries`);
          row.forEach((v, c) => close(v, want[r][c], `${name}[${r}][${c}]`));
        });
        for (let i = 0; i < m.data.length; i++) {
          const z = frozen.z[Math.floor(i / m.cols)][i % m.cols];
          assert.equal(z !== null && z !== undefined, m.noGradient[i], `${name} entry ${i}: no-gradient marking`);
        }
        const range = await page.evaluate((s) => {
          const t = document.querySelector(s).data[0];
          return { zmin: t.zmin, zmax: t.zmax, ticks: document.querySelector(s).layout.xaxis.ticktext };
        }, sel);
        assert.ok(range.zmax > 0 && range.zmin === -range.zmax, `${name}: colour range ${range.zmin} … ${range.zmax} is not centred at 0`);
        assert.deepEqual(range.ticks, m.colLabels, `${name}: column labels`);
      }

      // The length curve, where the file has one.
      if (example.lengthCurve) {
        const len = await plotData(page, '[data-testid="example-length-plot"]');
        assert.deepEqual(len.traces[0].x, example.lengthCurve.nCtx);
        len.traces[0].y.forEach((v, i) => close(v, example.lengthCurve.model[i].mean, `length curve model[${i}]`));
      }

      // Identification and test MSEs, as the file has them.
      const ident = await page.getByTestId('example-identification').innerText();
      assert.match(ident, new RegExp(`behaves like:\\s*${example.identification.label}`), `identification reads ${JSON.stringify(ident)}`);
      const best = example.identification.matches.find((m) => m.predictor === example.identification.best);
      assert.ok(ident.includes(`R² ${best.r2.toFixed(4)}`), `identification shows no R² ${best.r2.toFixed(4)}: ${JSON.stringify(ident)}`);
      const rows = page.locator('[data-testid="example-test-mse"] tbody tr');
      assert.equal(await rows.count(), example.test.rows.length);
      for (const [i, r] of example.test.rows.entries()) {
        const cells = rows.nth(i).locator('td');
        assert.equal(await cells.nth(0).innerText(), r.label);
        const shown = Number((await cells.nth(1).innerText()).replace('−', '-'));
        assert.ok(Math.abs(shown - r.mean) <= 5e-4 * Math.abs(r.mean), `${r.label}: shows ${shown}, the file has ${r.mean}`);
      }

      // "open this experiment": a relative link to the example's spec.
      const href = await page.getByTestId('example-link').getAttribute('href');
      assert.ok(href.startsWith('?'), `the link is not relative to the page: ${href}`);
      assert.equal(href.slice(1), example.query);
      const decoded = await page.evaluate((q) => window.__iclLab.decodeSpec(q), href.slice(1));
      assert.deepEqual(decoded.errors, [], 'the link does not decode cleanly');
      assert.deepEqual(decoded.spec, example.spec, "the link does not decode to the example's spec");
      const resolved = await page.evaluate((h) => new URL(h, location.href).href, href);
      assert.equal(resolved, `${origin}/?${example.query}`);

      await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-no-webgpu.png') });
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-results', 'example-result-full-page.png'), fullPage: true });

      // Following it loads those settings into the lab (which still cannot train here).
      await Promise.all([page.waitForURL(`${origin}/?${example.query}`), page.getByTestId('example-link').click()]);
      await page.getByTestId('webgpu-unavailable').waitFor({ state: 'visible', timeout: 20_000 });
      const after = await snapshot(page);
      assert.deepEqual(after.spec, example.spec, 'the lab did not take the example spec from the link');
      await page.getByTestId('example-result').waitFor({ state: 'visible', timeout: 20_000 });
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'with WebGPU the page neither shows nor downloads the example result',
    async run({ gpuContext, origin }) {
      const requested = [];
      const { page, problems } = await open(gpuContext, origin, '', {
        beforeLoad: (p) => p.on('request', (r) => requested.push(new URL(r.url()).pathname)),
      });
      await waitForLab(page, (s) => s.gpu === 'ready', undefined, 30_000);
      // Give a late chunk request the time to show.
      await page.waitForTimeout(500);
      assert.equal(await page.getByTestId('example-result').count(), 0);
      assert.equal(await page.getByTestId('webgpu-unavailable').count(), 0);
      const chunks = requested.filter((p) => /\/ExampleResult-[^/]*\.js$/.test(p));
      assert.deepEqual(chunks, [], 'the GPU path fetched the example chunk');
      assertNoProblems(problems);
      await page.close();
    },
  },
];
