// Browser tests of the colour themes and of keyboard use: the page follows a
// dark system scheme, the theme buttons switch the page and the plots'
// colours, the choice survives a reload, exports stay on white with dark text
// whatever the page's theme; and the sidebar can be worked from the keyboard
// alone, every stop showing a focus ring.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { assertNoProblems, exportDownload, open, pngSize, ROOT, SMALL, waitForLab } from '../lib.mjs';

const STORAGE_KEY = 'icl-lab-theme';

/** Relative luminance (WCAG) of a CSS colour: #rgb, #rrggbb, rgb() or rgba(). */
function luminance(css) {
  let rgb;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(css.trim());
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    const m = /rgba?\(([^)]+)\)/.exec(css);
    assert.ok(m, `not a colour: ${css}`);
    rgb = m[1].split(/[ ,/]+/).slice(0, 3).map(Number);
  }
  const lin = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** The RGBA of a PNG's top-left pixel (8-bit RGB or RGBA; the first pixel of any row filter is stored as is). */
function pngTopLeft(buf) {
  pngSize(buf);
  const depth = buf[24];
  const colourType = buf[25];
  assert.equal(depth, 8, `PNG bit depth ${depth}`);
  assert.ok(colourType === 2 || colourType === 6, `PNG colour type ${colourType}`);
  const idat = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    const type = buf.subarray(at + 4, at + 8).toString('ascii');
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len));
    if (type === 'IEND') break;
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const px = raw.subarray(1, 1 + (colourType === 6 ? 4 : 3));
  return [px[0], px[1], px[2], colourType === 6 ? px[3] : 255];
}

const pageTheme = (page) =>
  page.evaluate(() => ({
    attr: document.documentElement.dataset.theme ?? null,
    body: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.body).color,
  }));

const lossFontColour = (page) => page.evaluate(() => document.querySelector('[data-testid="loss-plot"]')?.layout?.font?.color ?? null);

/** Waits until the loss plot is drawn with a font colour that `dark` says is light-on-dark (or the reverse). */
async function waitForLossFont(page, dark) {
  await page.waitForFunction(() => typeof document.querySelector('[data-testid="loss-plot"]')?.layout?.font?.color === 'string', null, { timeout: 15_000 });
  const end = Date.now() + 10_000;
  for (;;) {
    const colour = await lossFontColour(page);
    if ((luminance(colour) > 0.4) === dark) return colour;
    if (Date.now() > end) throw new Error(`the loss plot's font colour stayed ${colour} (wanted a ${dark ? 'light' : 'dark'} one)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pressed = (page) => page.locator('[data-testid="theme-toggle"] [aria-pressed="true"]').getAttribute('data-theme-choice');

/** What has focus: its kind, test hooks, accessible name, and whether a focus ring shows. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const name =
      el.getAttribute('aria-label') ??
      (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null) ??
      el.closest('label')?.textContent ??
      el.textContent;
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type'),
      testid: el.getAttribute('data-testid'),
      action: el.getAttribute('data-action'),
      choice: el.getAttribute('data-theme-choice'),
      menu: el.getAttribute('data-export-menu'),
      task: el.getAttribute('data-task'),
      inSidebar: el.closest('.sidebar') !== null,
      name: (name ?? '').trim(),
      ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
    };
  });

const describeStop = (s) => `${s.tag}${s.type ? `[${s.type}]` : ''} ${s.testid ?? s.action ?? s.choice ?? s.menu ?? ''} "${s.name.slice(0, 30)}"`;

/** Every Tab stop has a focus ring and a name. */
function assertStops(stops) {
  for (const s of stops) {
    assert.ok(s.ring, `no focus ring on ${describeStop(s)}`);
    assert.ok(s.name.length > 0, `no accessible name on ${describeStop(s)}`);
  }
  const list = stops.map(describeStop).join('\n  ');
  return (pred, what) => assert.ok(stops.some(pred), `Tab never reached ${what}; stops:\n  ${list}`);
}

export const tests = [
  {
    name: 'theme: a dark system opens dark, the theme buttons switch page and plots, the choice survives a reload, exports stay on white',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL, { beforeLoad: (p) => p.emulateMedia({ colorScheme: 'dark' }) });
      try {
        await waitForLab(page, (s) => s.status === 'ready');
        // Dark from the system's scheme, with nothing saved yet.
        let t = await pageTheme(page);
        assert.equal(t.attr, 'dark', 'html[data-theme] with a dark system');
        assert.ok(luminance(t.body) < 0.05, `body background ${t.body} is not dark`);
        assert.ok(luminance(t.text) > 0.6, `body text ${t.text} is not light`);
        assert.equal(await pressed(page), 'system');
        const darkFont = await waitForLossFont(page, true);
        // Text on the card keeps 4.5:1 or more.
        const card = await page.locator('.card').first().evaluate((el) => getComputedStyle(el).backgroundColor);
        for (const [what, colour] of [
          ['text', t.text],
          ['muted text', await page.locator('.muted').first().evaluate((el) => getComputedStyle(el).color)],
          ['plot text', darkFont],
        ]) {
          const [a, b] = [luminance(colour), luminance(card)].sort((x, y) => y - x);
          assert.ok((a + 0.05) / (b + 0.05) >= 4.5, `${what} ${colour} on the card ${card}: contrast ${((a + 0.05) / (b + 0.05)).toFixed(2)}`);
        }

        await page.click('button[data-action="train"]');
        await waitForLab(page, (s) => s.status === 'done', undefined, 80_000);
        await page.waitForFunction(() => document.querySelector('[data-testid="length-plot"]')?.layout !== undefined, null, { timeout: 20_000 });
        // Let the last redraws land before the picture.
        await page.waitForTimeout(300);
        mkdirSync(join(ROOT, 'docs'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-dark.png') });

        // Exports are figure-ready on white with dark text, whatever the page shows.
        const png = await exportDownload(page, 'W_KQ', 'W_KQ:png');
        assert.match(png.name, /W_KQ.*\.png$/);
        const [r, g, b, a] = pngTopLeft(png.body);
        assert.ok(r >= 250 && g >= 250 && b >= 250 && a === 255, `the exported PNG's top-left pixel is rgba(${r}, ${g}, ${b}, ${a}), not white`);
        const svg = (await exportDownload(page, 'W_KQ', 'W_KQ:svg')).body.toString('utf8');
        assert.match(svg, /rgb\(51, 65, 85\)/, 'the exported SVG lacks the light theme\'s text colour #334155');
        assert.doesNotMatch(svg, /rgb\(205, 213, 223\)/, "the exported SVG keeps the dark theme's text colour");
        const lossSvg = (await exportDownload(page, 'loss', 'loss:svg')).body.toString('utf8');
        assert.doesNotMatch(lossSvg, /rgb\(96, 165, 250\)/, "the exported loss curve keeps the dark theme's line colour");
        assert.match(lossSvg, /rgb\(37, 99, 235\)/, "the exported loss curve lacks the light theme's line colour");

        // To light with the button: the page and the plots follow.
        await page.click('[data-theme-choice="light"]');
        t = await pageTheme(page);
        assert.equal(t.attr, 'light');
        assert.ok(luminance(t.body) > 0.8, `body background ${t.body} is not light`);
        assert.equal(await pressed(page), 'light');
        assert.equal(await waitForLossFont(page, false), '#334155');
        const grid = await page.evaluate(() => document.querySelector('[data-testid="loss-plot"]').layout.xaxis.gridcolor);
        assert.ok(luminance(grid) > 0.8, `light grid colour ${grid}`);
        assert.equal(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), 'light');

        // The choice outlives a reload, over the dark system scheme.
        await page.reload();
        await waitForLab(page, (s) => s.status === 'ready' || s.status === 'done');
        assert.equal((await pageTheme(page)).attr, 'light', 'the light choice was not kept over a reload');
        assert.equal(await pressed(page), 'light');
        await waitForLossFont(page, false);

        // Back to following the system: dark again.
        await page.click('[data-theme-choice="system"]');
        assert.equal((await pageTheme(page)).attr, 'dark');
        await waitForLossFont(page, true);
        assertNoProblems(problems);
      } finally {
        await page.evaluate((k) => localStorage.removeItem(k), STORAGE_KEY).catch(() => {});
        await page.close();
      }
    },
  },
  {
    name: 'theme and keyboard: Tab reaches every control with a focus ring, Enter on Train trains, the theme buttons work by key',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, SMALL);
      try {
        await waitForLab(page, (s) => s.status === 'ready');
        await page.waitForFunction(() => document.querySelector('[data-heatmap]')?.data !== undefined, null, { timeout: 20_000 });
        const stops = [];
        for (let i = 0; i < 120; i++) {
          await page.keyboard.press('Tab');
          const stop = await focused(page);
          if (!stop) break;
          // Past the sidebar (into the main column) is enough.
          if (stops.length > 0 && stops.at(-1).inSidebar && !stop.inSidebar) break;
          stops.push(stop);
        }
        const has = assertStops(stops);
        has((s) => s.action === 'copy-link', 'Copy link');
        has((s) => s.choice === 'dark', 'the theme buttons');
        has((s) => s.action === 'train', 'Train');
        has((s) => s.testid === 'speed', 'the speed select');
        has((s) => s.action === 'import-experiment', 'Import experiment');
        has((s) => s.testid === 'preset-picker', 'the preset picker');
        has((s) => s.tag === 'summary', 'a section heading');
        has((s) => s.type === 'range', 'a slider');
        has((s) => s.tag === 'input' && s.type === 'text', 'a number box');
        has((s) => s.tag === 'select' && s.testid === null && s.inSidebar, 'a setting select');
        has((s) => s.name.startsWith('new random'), "a seed's new button");

        // The theme buttons by key: ←/→ move, Space picks.
        await page.focus('[data-theme-choice="system"]');
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowRight');
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-theme-choice')), 'dark');
        await page.keyboard.press('Space');
        assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
        await page.keyboard.press('ArrowLeft');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');

        // On from the theme buttons to Train with Tab, and Enter starts training.
        for (let i = 0; i < 200; i++) {
          if (await page.evaluate(() => document.activeElement?.getAttribute('data-action') === 'train')) break;
          await page.keyboard.press('Tab');
        }
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'train', 'focus did not come to Train');
        await page.keyboard.press('Enter');
        await waitForLab(page, (s) => s.status === 'running' || s.step > 0, undefined, 20_000);
        // Space on the focused Pause button pauses.
        await page.focus('button[data-action="pause"]');
        await page.keyboard.press('Space');
        await waitForLab(page, (s) => s.status === 'paused' || s.status === 'done', undefined, 20_000);
        assertNoProblems(problems);
      } finally {
        await page.evaluate((k) => localStorage.removeItem(k), STORAGE_KEY).catch(() => {});
        await page.close();
      }
    },
  },
  {
    name: 'theme and keyboard: heads view toggles, task picker and export menus by key, with focus rings',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&model=softmax&init=default&H=2&d=4&K=2&ws=2&wst=2&n=10&B=64&T=40&ep=1024');
      try {
        await waitForLab(page, (s) => s.status === 'ready');
        await page.getByTestId('show-pattern').waitFor();
        const stops = [];
        for (let i = 0; i < 300; i++) {
          await page.keyboard.press('Tab');
          const stop = await focused(page);
          if (!stop) break;
          if (stops.length > 0 && stop.action === stops[0].action && stop.tag === stops[0].tag && stop.name === stops[0].name) break;
          stops.push(stop);
        }
        const has = assertStops(stops);
        has((s) => s.task === '2', 'the task picker');
        has((s) => s.testid === 'loss-log', 'the loss plot\'s log toggle');
        has((s) => s.testid === 'shared-scale', 'the heads\' shared scale toggle');
        has((s) => s.testid === 'show-pattern', "He et al.'s pattern toggle");
        has((s) => s.menu === 'loss', "the loss plot's export menu");
        has((s) => s.menu === 'head 2', "head 2's export menu");

        const picker = page.getByTestId('task-picker').first();
        await picker.locator('[data-task="2"]').focus();
        await page.keyboard.press('Space');
        assert.equal(await picker.locator('[data-task="2"]').getAttribute('aria-pressed'), 'true');
        await page.getByTestId('show-pattern').focus();
        await page.keyboard.press('Space');
        assert.equal(await page.getByTestId('show-pattern').isChecked(), true);
        await page.getByTestId('pattern-caption').waitFor();
        // An export menu: Enter opens it on its first item, Escape closes it back to its button.
        await page.focus('[data-export-menu="loss"]');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-export')), 'loss:png');
        assert.ok((await focused(page)).ring, 'no focus ring on the export menu item');
        await page.keyboard.press('Escape');
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-export-menu')), 'loss');
        assertNoProblems(problems);
      } finally {
        await page.close();
      }
    },
  },
];
