// Shared pieces of the browser tests: a static server for the built site,
// browser launch with WebGPU on SwiftShader, page helpers that record every
// problem (page errors, console errors, requests outside the origin, CSP
// reports), and assertions on the lab's plots. Suites in e2e/suites/ import
// from here; e2e/lab.spec.mjs runs them under Playwright Test.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
// E2E_DIST: serve another build (e.g. one built with --outDir elsewhere).
export const DIST = process.env.E2E_DIST ?? join(ROOT, 'dist');
export const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
export const TEST_TIMEOUT_MS = 90_000;
export const VIEWPORT = { width: 1280, height: 720 };
const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// ---- static server for dist/ ------------------------------------------------

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8',
};

/** Serves dist/ at the origin's root, or under `prefix` (e.g. '/some/sub/path') with nothing outside it. */
export function startServer({ prefix = '' } = {}) {
  const server = http.createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (prefix) {
        if (path !== prefix && !path.startsWith(prefix + '/')) throw Object.assign(new Error('outside the prefix'), { code: 'ENOENT' });
        path = path.slice(prefix.length) || '/';
      }
      let file = normalize(join(DIST, path));
      if (file !== DIST && !file.startsWith(DIST + sep)) throw Object.assign(new Error('outside dist'), { code: 'ENOENT' });
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the OS picks a free port, so parallel runs never collide.
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

// ---- browser ------------------------------------------------------------------

const tempDirs = [];
const contexts = [];

/** Closes every browser context launched here and removes their profiles. */
export async function closeAll() {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

export async function launch({ webgpu }) {
  const dir = mkdtempSync(join(tmpdir(), 'icl-lab-e2e-'));
  tempDirs.push(dir);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROME,
    headless: true,
    viewport: VIEWPORT,
    args: webgpu ? ['--enable-unsafe-webgpu', ...BROWSER_ARGS] : BROWSER_ARGS,
  });
  contexts.push(context);
  return context;
}

/** Opens the page with a query; collects page errors and console errors. */
export async function open(context, origin, query, { beforeLoad } = {}) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Confirmations are the page's own dialog: a native one (window.confirm, alert) is a regression.
  page.on('dialog', (d) => {
    problems.push(`native dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  // A load that the page's own navigation cancels (opening a sweep's run while
  // a lazily loaded chunk is still in flight) is aborted by design, not a failure.
  let navigations = 0;
  const issuedAt = new WeakMap();
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (why === 'net::ERR_ABORTED' && navigations > (issuedAt.get(r) ?? navigations)) return;
    problems.push(`request failed: ${r.url()} ${why}`);
  });
  // The site works offline: every request (load, training, exports) stays on its own origin.
  page.on('request', (r) => {
    issuedAt.set(r, navigations);
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations++;
    const url = r.url();
    if (!url.startsWith(origin + '/') && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`request outside the origin: ${url}`);
  });
  // The Content-Security-Policy must never have to block anything.
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text()) && m.type() !== 'error') problems.push(`CSP: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  if (beforeLoad) await beforeLoad(page);
  await page.goto(`${origin}/${query ? '?' + query : ''}`);
  return { page, problems };
}

export const snapshot = (page) => page.evaluate(() => window.__iclLab.state());

/**
 * Polls the lab's state from here until predicate(state, arg) holds. (Polled
 * from Node, not compiled in the page: the built page's Content-Security-Policy
 * forbids evaluating strings, and the tests run under it.)
 */
export async function waitForLab(page, predicate, arg, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const s = await page.evaluate(() => window.__iclLab?.state() ?? null);
    if (s && predicate(s, arg)) return s;
    if (Date.now() > end) throw new Error(`waitForLab: timed out after ${timeout} ms waiting for ${predicate.toString().slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Plotly figure data of an element, reduced to plain JSON. */
export function plotData(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el || !el.data) return null;
    const plain = (v) => (ArrayBuffer.isView(v) ? Array.from(v) : Array.isArray(v) ? v.map(plain) : v);
    return {
      traces: el.data.map((t) => ({ type: t.type, name: t.name, x: plain(t.x), y: plain(t.y), z: plain(t.z) })),
      shapes: (el.layout?.shapes ?? []).length,
    };
  }, selector);
}

export function assertNoProblems(problems) {
  assert.deepEqual(problems, [], `the page reported problems:\n  ${problems.join('\n  ')}`);
}

/** Closed-form optimal one-step GD loss for Σ = I, τ² = 1 (DESIGN.md §4). */
export function lStar(d, n, sigma2, tau2 = 1) {
  const r = sigma2 / tau2;
  return (tau2 * d * (d + 1 + r)) / (n + d + 1 + r) + sigma2;
}

/**
 * L* for Σ = I when each task's w ~ N(0, τ² I) lives on a window of ws of the
 * d coordinates (DESIGN.md §2's multi-task case): with W = E‖w‖² = ws·τ²,
 * E[(x_qᵀu)²] = ((d + 2)W + σ²d)/n + (n − 1)W/n, and L* = W + σ² − W²/that.
 * (ws = d gives lStar above.)
 */
export function lStarWindow(d, ws, n, sigma2, tau2) {
  const W = ws * tau2;
  const second = ((d + 2) * W + sigma2 * d) / n + ((n - 1) * W) / n;
  return W + sigma2 - (W * W) / second;
}

/** He et al.'s approximate reduced loss L̃(ω, μ) (DESIGN.md §4). */
export function heApproxLoss(omega, mu, d, L, sigma2) {
  let out = 1 + sigma2;
  for (let a = 0; a < omega.length; a++) {
    out -= 2 * mu[a] * omega[a];
    for (let b = 0; b < omega.length; b++) out += mu[a] * mu[b] * (omega[a] * omega[b] + ((1 + sigma2) / L) * Math.exp(d * omega[a] * omega[b]));
  }
  return out;
}

/** Checks both heatmaps: (d+k)×(d+k) finite values, and the no-gradient cells marked exactly where the model says. */
export async function assertHeatmaps(page, d, k = 1) {
  const D = d + k;
  const expectFrozen = { W_KQ: (r, c) => c >= d, W_PV: (r) => r < d };
  for (const [name, frozenAt] of Object.entries(expectFrozen)) {
    const fig = await plotData(page, `[data-heatmap="${name}"]`);
    assert.ok(fig, `${name}: no Plotly figure`);
    const [main, frozen] = fig.traces;
    assert.equal(main.type, 'heatmap', `${name}: first trace is ${main.type}`);
    assert.equal(main.z.length, D, `${name}: ${main.z.length} rows, expected ${D}`);
    for (const row of main.z) {
      assert.equal(row.length, D, `${name}: a row has ${row.length} entries, expected ${D}`);
      for (const v of row) assert.ok(Number.isFinite(v), `${name}: non-finite entry ${v}`);
    }
    assert.equal(frozen?.type, 'heatmap', `${name}: no overlay marking the no-gradient entries`);
    for (let r = 0; r < D; r++)
      for (let c = 0; c < D; c++) {
        const marked = frozen.z[r][c] !== null && frozen.z[r][c] !== undefined;
        assert.equal(marked, frozenAt(r, c), `${name}[${r}][${c}]: marked as no-gradient = ${marked}`);
      }
    assert.ok(fig.shapes > 0, `${name}: no hatch shapes`);
    const caption = await page.locator(`section[aria-label="${name}"] .caption`).innerText();
    assert.match(caption, /no gradient/i, `${name}: caption does not mention the no-gradient entries`);
  }
}

/** Checks the learned Γ_eff and the theory Γ* heatmaps: d×d, finite, on one colour scale. */
export async function assertGammaHeatmaps(page, d) {
  const figs = [];
  for (const name of ['Γ_eff', 'Γ*']) {
    const fig = await plotData(page, `[data-heatmap="${name}"]`);
    assert.ok(fig, `${name}: no Plotly figure`);
    const [main] = fig.traces;
    assert.equal(main.type, 'heatmap', `${name}: first trace is ${main.type}`);
    assert.equal(main.z.length, d, `${name}: ${main.z.length} rows, expected ${d}`);
    for (const row of main.z) {
      assert.equal(row.length, d, `${name}: a row has ${row.length} entries, expected ${d}`);
      for (const v of row) assert.ok(Number.isFinite(v), `${name}: non-finite entry ${v}`);
    }
    figs.push(await page.evaluate((sel) => document.querySelector(sel).data[0].zmax, `[data-heatmap="${name}"]`));
  }
  assert.equal(figs[0], figs[1], `Γ_eff and Γ* use different colour scales: ${figs}`);
  const title = await page.locator('section[aria-label="learned Γ_eff vs theory Γ*"] h2').innerText();
  assert.match(title, /Learned Γ\s*eff vs theory Γ\*/, `Γ card title reads ${JSON.stringify(title)}`);
}

/** Checks one softmax head's KQ^h (D×D, label rows marked no-gradient) and OV^h (D×k) heatmaps, D = d + k. */
export async function assertHeadHeatmaps(page, h, d, k = 1) {
  const D = d + k;
  const kq = await plotData(page, `[data-heatmap="KQ^${h}"]`);
  const ov = await plotData(page, `[data-heatmap="OV^${h}"]`);
  for (const [name, fig, cols] of [
    [`KQ^${h}`, kq, D],
    [`OV^${h}`, ov, k],
  ]) {
    assert.ok(fig, `${name}: no Plotly figure`);
    const [main] = fig.traces;
    assert.equal(main.type, 'heatmap', `${name}: first trace is ${main.type}`);
    assert.equal(main.z.length, D, `${name}: ${main.z.length} rows, expected ${D}`);
    for (const row of main.z) {
      assert.equal(row.length, cols, `${name}: a row has ${row.length} entries, expected ${cols}`);
      for (const v of row) assert.ok(Number.isFinite(v), `${name}: non-finite entry ${v}`);
    }
  }
  const frozen = kq.traces[1];
  for (let r = 0; r < D; r++)
    for (let c = 0; c < D; c++) {
      const marked = frozen.z[r][c] !== null && frozen.z[r][c] !== undefined;
      assert.equal(marked, r >= d, `KQ^${h}[${r}][${c}]: marked as no-gradient = ${marked}`);
    }
}

/** A number as the page prints it (fmt: '−' for minus). */
export function parseShown(text) {
  const v = Number(text.trim().replace('−', '-'));
  assert.ok(Number.isFinite(v), `not a number: ${JSON.stringify(text)}`);
  return v;
}

/**
 * Ticks "show He et al.'s pattern" and checks, for each head, the pattern's KQ (D×D) and OV (D×k)
 * heatmaps: ω_h (as the head table prints it) on the x-block diagonal, μ_h of output t at
 * (d + t, t), 0 elsewhere, drawn on the learned map's colour range.
 */
export async function assertPatternHeatmaps(page, H, d, k = 1) {
  const D = d + k;
  await page.getByTestId('show-pattern').check();
  await page.getByTestId('pattern-caption').waitFor();
  assert.match(await page.getByTestId('pattern-caption').innerText(), /read against[\s\S]*measure the distance/);
  await page.waitForFunction(
    (n) => Array.from({ length: n }, (_, h) => [`pattern KQ^${h + 1}`, `pattern OV^${h + 1}`]).flat().every((name) => document.querySelector(`[data-heatmap="${name}"]`)?.data?.[0]?.type === 'heatmap'),
    H,
    { timeout: 10_000 },
  );
  assert.equal((await snapshot(page)).heatmapsDrawn, 4 * H, 'expected learned and pattern KQ, OV for each head');
  assert.equal(await page.getByTestId('pattern-maps').count(), H);
  for (let h = 1; h <= H; h++) {
    const cells = page.locator(`[data-testid="head-table"] tbody tr[data-head="${h}"] td`);
    const omega = parseShown(await cells.nth(1).innerText());
    const mus = [];
    for (let t = 0; t < k; t++) mus.push(parseShown(await cells.nth(2 + t).innerText()));
    const kq = (await plotData(page, `[data-heatmap="pattern KQ^${h}"]`)).traces[0].z;
    const ov = (await plotData(page, `[data-heatmap="pattern OV^${h}"]`)).traces[0].z;
    // Printed to 3 significant digits.
    const close = (v, shown) => Math.abs(v - shown) <= 5e-3 * Math.abs(shown) + 1e-12;
    assert.equal(kq.length, D, `pattern KQ^${h}: ${kq.length} rows, expected ${D}`);
    assert.equal(ov.length, D, `pattern OV^${h}: ${ov.length} rows, expected ${D}`);
    for (let r = 0; r < D; r++) {
      assert.equal(kq[r].length, D, `pattern KQ^${h}: a row has ${kq[r].length} entries, expected ${D}`);
      assert.equal(ov[r].length, k, `pattern OV^${h}: a row has ${ov[r].length} entries, expected ${k}`);
      for (let c = 0; c < D; c++) {
        if (r === c && r < d) assert.ok(close(kq[r][c], omega), `pattern KQ^${h}[${r}][${c}] = ${kq[r][c]}, the table shows ω_${h} = ${omega}`);
        else assert.equal(kq[r][c], 0, `pattern KQ^${h}[${r}][${c}] = ${kq[r][c]}, expected 0`);
      }
      for (let t = 0; t < k; t++) {
        if (r === d + t) assert.ok(close(ov[r][t], mus[t]), `pattern OV^${h}[${r}][${t}] = ${ov[r][t]}, the table shows μ = ${mus[t]}`);
        else assert.equal(ov[r][t], 0, `pattern OV^${h}[${r}][${t}] = ${ov[r][t]}, expected 0`);
      }
    }
    // The learned maps' colour scale.
    for (const m of ['KQ', 'OV']) {
      const zmax = await page.evaluate((n) => [n, `pattern ${n}`].map((x) => document.querySelector(`[data-heatmap="${x}"]`).data[0].zmax), `${m}^${h}`);
      assert.equal(zmax[1], zmax[0], `pattern ${m}^${h} is drawn on ±${zmax[1]}, the learned ${m}^${h} on ±${zmax[0]}`);
    }
  }
}

/** The tick labels of a plot's axes. */
export function axisTicks(page, selector) {
  return page.evaluate((sel) => {
    const l = document.querySelector(sel)?.layout;
    return { x: l?.xaxis?.ticktext ?? null, y: l?.yaxis?.ticktext ?? null };
  }, selector);
}

/**
 * Checks the spectra beside Γ_eff and Γ*: two marker series of d points at
 * i = 1…d, sorted descending, each summing to the trace of its heatmap (the
 * symmetric part has Γ_eff's trace); a log axis exactly when all are positive;
 * and the printed ‖Γ_eff − Γ*‖_F / ‖Γ*‖_F recomputed from the two heatmaps.
 */
export async function assertSpectra(page, d) {
  const fig = await plotData(page, '[data-testid="gamma-spectra"]');
  assert.ok(fig, 'no spectra plot');
  assert.equal(fig.traces.length, 2, `spectra traces: ${fig.traces.map((t) => t.name)}`);
  const [eff, star] = fig.traces;
  assert.match(eff.name, /Γ_eff/);
  assert.match(star.name, /Γ\*/);
  const z = {};
  for (const name of ['Γ_eff', 'Γ*']) z[name] = (await plotData(page, `[data-heatmap="${name}"]`)).traces[0].z;
  const trace = (m) => m.reduce((a, row, i) => a + row[i], 0);
  for (const [t, m] of [
    [eff, z['Γ_eff']],
    [star, z['Γ*']],
  ]) {
    assert.equal(t.type, 'scatter');
    assert.deepEqual(t.x, Array.from({ length: d }, (_, i) => i + 1), `${t.name}: x = ${t.x}`);
    assert.equal(t.y.length, d, `${t.name}: ${t.y.length} eigenvalues, expected ${d}`);
    assert.ok(t.y.every(Number.isFinite), `${t.name}: non-finite eigenvalues ${t.y}`);
    for (let i = 1; i < d; i++) assert.ok(t.y[i] <= t.y[i - 1] + 1e-12, `${t.name}: not sorted ${t.y}`);
    const sum = t.y.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - trace(m)) < 1e-6 * (1 + Math.abs(trace(m))), `${t.name}: eigenvalues sum to ${sum}, trace ${trace(m)}`);
  }
  const yType = await page.evaluate(() => document.querySelector('[data-testid="gamma-spectra"]').layout.yaxis.type);
  assert.equal(yType, [...eff.y, ...star.y].every((v) => v > 0) ? 'log' : 'linear', `spectra y axis is ${yType}`);
  let num = 0;
  let den = 0;
  z['Γ*'].forEach((row, i) =>
    row.forEach((g, j) => {
      num += (z['Γ_eff'][i][j] - g) ** 2;
      den += g * g;
    }),
  );
  const text = await page.getByTestId('gamma-rel-error').innerText();
  const shown = Number(text.split('=').at(-1).trim().replace('−', '-'));
  const rel = Math.sqrt(num / den);
  assert.ok(Math.abs(shown - rel) <= 0.006 * rel + 1e-9, `relative error reads ${JSON.stringify(text)}, heatmaps give ${rel}`);
  return { eff: eff.y, star: star.y, rel };
}

/** Opens an export menu (by its button's title) and clicks one item; returns the download's name and bytes. */
export async function exportDownload(page, menu, item) {
  await page.click(`[data-export-menu="${menu}"]`);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(`[data-export="${item}"]`)]);
  return { name: download.suggestedFilename(), body: await readFile(await download.path()) };
}

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
export function pngSize(buf) {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...buf.subarray(0, 8)], signature, 'not a PNG signature');
  assert.equal(buf.subarray(12, 16).toString('ascii'), 'IHDR', 'no IHDR chunk first');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

// ---- tests ----------------------------------------------------------------------

export const SMALL = 'v=1&d=3&n=10&B=256&T=300&lr=0.02&ep=4096';


/** A beforeLoad for open(): records every main-thread task over 50 ms (PerformanceObserver 'longtask') in window.__longTasks. */
export const recordLongTasks = (page) =>
  page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });

/** The long tasks recorded by recordLongTasks that started between two performance.now() readings, and the longest. */
export async function longTasksBetween(page, start, end) {
  const during = (await page.evaluate(() => window.__longTasks)).filter((t) => t.start >= start && t.start <= end);
  return { count: during.length, longest: during.reduce((m, t) => Math.max(m, t.duration), 0) };
}

/** Clicks Train and waits for the run to finish. */
export async function trainToDone(page, timeout = 60_000) {
  await page.click('button[data-action="train"]');
  return waitForLab(page, (s) => s.status === 'done', undefined, timeout);
}

export async function assertNoErrorNotice(page) {
  const errors = await page.locator('.notice-error').allInnerTexts();
  assert.deepEqual(errors, [], `error notices: ${errors.join(' | ')}`);
}

/**
 * Trains a link to the end, copies its share link, replays that in a fresh
 * page and compares bit for bit; the replayed link must open as it was
 * written (no repair, no optimizer defaults applied).
 */
export async function replaysBitForBit({ gpuContext, origin }, query, check, timeout = 60_000) {
  await gpuContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const { page, problems } = await open(gpuContext, origin, query);
  await waitForLab(page, (s) => s.status === 'ready');
  const first = await trainToDone(page, timeout);
  check(first);
  assert.ok(first.params.every(Number.isFinite), 'non-finite parameters');
  assert.ok(first.lastLoss < first.firstLoss, `loss went from ${first.firstLoss} to ${first.lastLoss}`);
  await page.click('button[data-action="copy-link"]');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()).includes('?v='));
  const link = await page.evaluate(() => navigator.clipboard.readText());
  await assertNoErrorNotice(page);
  await page.close();
  // A fresh page: nothing carried over but the link.
  const other = await open(gpuContext, origin, new URL(link).search.slice(1));
  await waitForLab(other.page, (s) => s.status === 'ready');
  const replay = await trainToDone(other.page, timeout);
  assert.deepEqual(replay.spec, first.spec);
  assert.equal(replay.query, first.query);
  assert.deepEqual(replay.params, first.params, 'replayed parameters differ');
  assert.deepEqual(replay.lossHistory, first.lossHistory, 'replayed loss curve differs');
  const changed = replay.notices.filter((n) => /^Set to the optimizer's published settings|^Some settings in this link could not be used/.test(n));
  assert.deepEqual(changed, [], 'opening the link changed it');
  await assertNoErrorNotice(other.page);
  assertNoProblems(problems);
  assertNoProblems(other.problems);
  await other.page.close();
}

/**
 * Answers the page's next confirmation (the in-page dialog,
 * src/ui/ConfirmDialog.tsx) with its Continue or Cancel button; resolves with
 * the question it asked once the dialog has closed.
 */
export async function answerConfirm(page, accept, timeout = 20_000) {
  const dialog = page.locator('dialog[data-testid="confirm-dialog"][open]');
  await dialog.waitFor({ timeout });
  const message = await dialog.getByTestId('confirm-message').innerText();
  await dialog.locator(accept ? '[data-action="confirm-accept"]' : '[data-action="confirm-cancel"]').click();
  await page.waitForFunction(() => !document.querySelector('dialog[data-testid="confirm-dialog"]')?.open, undefined, { timeout });
  return message;
}
