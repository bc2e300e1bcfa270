// Malformed and hostile share links in the built page: each opens with a
// notice naming what was wrong, the valid rest applied and Train working; and
// a seeded sample of fuzzed links (HTML and script payloads among them) opens
// without a page error, and nothing in a link ever runs or becomes markup.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertNoProblems, open, SMALL, snapshot, waitForLab } from '../lib.mjs';

/** What `window.__pwned = 1` would look like in each place a link could smuggle it. */
const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '"><script>window.__pwned=1</script>',
  "'><svg onload=\"window.__pwned=1\">",
  'javascript:window.__pwned=1',
  '</li><img src=x onerror=window.__pwned=1>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>">',
];

/** Elements a payload would create if it were ever parsed as HTML (the built page has no inline script). */
const INJECTED = 'script:not([src]), img[src="x"], svg[onload], iframe[srcdoc], [onerror]';

async function assertNothingRan(page, what) {
  const found = await page.evaluate((sel) => ({ pwned: window.__pwned, injected: document.querySelectorAll(sel).length }), INJECTED);
  assert.equal(found.pwned, undefined, `${what}: window.__pwned was set`);
  assert.equal(found.injected, 0, `${what}: ${found.injected} injected element(s) in the page`);
}

/** Opens a link, waits until the lab built its trainer, and checks the notice names each bit. */
async function openMalformed(gpuContext, origin, query, bits) {
  const { page, problems } = await open(gpuContext, origin, query);
  const s = await waitForLab(page, (s) => s.status === 'ready', undefined, 30_000);
  const notice = s.notices.find((n) => n.startsWith('Some settings in this link could not be used'));
  assert.ok(notice, `no link notice for ${query.slice(0, 120)}: ${JSON.stringify(s.notices)}`);
  for (const bit of bits) assert.ok(notice.includes(bit), `the notice does not name ${bit}: ${notice}`);
  const banner = page.getByTestId('notice').first();
  await banner.waitFor({ state: 'visible', timeout: 10_000 });
  const text = await banner.innerText();
  for (const bit of bits) assert.ok(text.includes(bit), `the banner on the page does not show ${bit}: ${text}`);
  return { page, problems, s };
}

// Ten malformed links: the query, what the notice must name, and a field that must still apply.
const MALFORMED = [
  { what: 'unknown key', query: `${SMALL}&bogus=7`, bits: ['"bogus"'], applied: { 'task.d': 3, 'task.n': 10 } },
  { what: 'out-of-range value', query: 'v=1&d=3&n=5000&B=256&T=300&lr=0.02&ep=4096', bits: ['task.n = 5000', 'out of range'], applied: { 'task.d': 3, 'task.n': 20 } },
  { what: 'NaN', query: 'v=1&d=3&n=10&B=256&T=300&lr=NaN&ep=4096', bits: ['optimizer.lr = "NaN"'], applied: { 'task.d': 3, 'optimizer.lr': 0.001 } },
  { what: 'wrong enum', query: `${SMALL}&opt=rmsprop&cov=zzz`, bits: ['optimizer.kind = "rmsprop"', 'task.covariance.kind = "zzz"'], applied: { 'optimizer.kind': 'adam', 'train.batch': 256 } },
  { what: 'future version', query: SMALL.replace('v=1', 'v=99') + '&newfield=1', bits: ['version 99', 'newfield'], applied: { 'task.d': 3, 'train.steps': 300 } },
  { what: 'truncated, percent garbage', query: 'v=1&d=3&n=10&B=256&T=300&lr=0.0%E0%A4%A&ep=4096&s2=%', bits: ['optimizer.lr', 'task.noiseVar'], applied: { 'task.n': 10, 'task.noiseVar': 0.1 } },
  { what: 'HTML payload', query: `${SMALL}&f=${encodeURIComponent(PAYLOADS[0])}&${encodeURIComponent(PAYLOADS[1])}=1`, bits: ['task.response = "<img src=x', 'unknown link parameter'], applied: { 'task.d': 3, 'task.response': 'identity' } },
  { what: 'over-long URL', query: `${SMALL}&pad=${'x'.repeat(6000)}`, bits: ['at most 4096'], applied: { 'task.d': 5 } },
  { what: 'duplicate keys', query: `${SMALL}&d=9&n=11`, bits: ['task.d is given more than once', 'task.n is given more than once'], applied: { 'task.d': 3, 'task.n': 10 } },
  {
    what: 'mixed valid and invalid',
    query: 'v=1&d=4&n=abc&B=128&T=20&lr=0.02&ep=1024&s2=-1&H=0x2&rot=maybe',
    bits: ['task.n = "abc"', 'task.noiseVar = -1', 'model.heads = "0x2"', 'task.covariance.rotate = "maybe"'],
    applied: { 'task.d': 4, 'train.steps': 20, 'train.batch': 128 },
    runToEnd: true,
  },
];

const at = (obj, path) => path.split('.').reduce((o, k) => o?.[k], obj);

// ---- fuzzed links: a fixed-seed sample -------------------------------------------

const KEYS = ['d', 'n', 'lr', 'f', 'cov', 'opt', 'model', 'init', 'v', '__proto__', 'constructor', 'prototype', 'x'];
const JUNK = ['NaN', 'Infinity', '-0', '1e308', '0x10', '', '%', '%E0%A4%A', '%00', '__proto__', '{"a":1}', ...PAYLOADS];
const pair = fc.record({
  key: fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(...PAYLOADS), fc.string({ maxLength: 6 })),
  value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...JUNK) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }),
  raw: fc.boolean(),
});
const fuzzedQuery = fc
  .record({ pairs: fc.array(pair, { minLength: 1, maxLength: 6 }), small: fc.constantFrom('before', 'before', 'none'), long: fc.integer({ min: 0, max: 9 }) })
  .map(({ pairs, small, long }) => {
    // Raw payloads go in as typed (the browser escapes what a URL cannot hold); '#' would end the query.
    const parts = pairs.map(({ key, value, raw }) => (raw ? `${key}=${value}` : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).replaceAll('#', '%23'));
    if (long === 0) parts.push(`pad=${encodeURIComponent(PAYLOADS[1]).repeat(200)}`);
    return (small === 'before' ? [SMALL, ...parts] : parts).join('&');
  });

/** 25 hostile links, the same on every run; every payload appears at least once. */
function fuzzedLinks() {
  const sample = fc.sample(fuzzedQuery, { seed: 4242, numRuns: 19 });
  return [...sample, ...PAYLOADS.map((p, i) => `${SMALL}&${i % 2 ? 'f' : encodeURIComponent(p)}=${encodeURIComponent(p)}`)];
}

export const tests = [
  {
    name: 'links: ten malformed links each open with a message and a working page',
    async run({ gpuContext, origin }) {
      for (const link of MALFORMED) {
        const { page, problems, s } = await openMalformed(gpuContext, origin, link.query, link.bits);
        for (const [path, value] of Object.entries(link.applied)) assert.equal(at(s.spec, path), value, `${link.what}: ${path} = ${at(s.spec, path)}, expected ${value}`);
        await assertNothingRan(page, link.what);
        await page.click('button[data-action="train"]');
        if (link.runToEnd) {
          const done = await waitForLab(page, (s) => s.status === 'done', undefined, 60_000);
          assert.equal(done.step, link.applied['train.steps'], `${link.what}: stopped at step ${done.step}`);
          assert.ok(Number.isFinite(done.lastLoss), `${link.what}: last loss ${done.lastLoss}`);
        } else {
          await waitForLab(page, (s) => s.step > 0, undefined, 30_000);
        }
        assertNoProblems(problems);
        await page.close();
      }
    },
  },
  {
    name: 'links: a sample of fuzzed links opens without a crash or script run',
    async run({ gpuContext, origin }) {
      const links = fuzzedLinks();
      assert.equal(links.length, 25);
      assert.equal(new Set(links).size, links.length, 'the sample repeats a link');
      // Four pages at a time: each only has to open, not to train.
      for (let i = 0; i < links.length; i += 4) {
        await Promise.all(
          links.slice(i, i + 4).map(async (query, j) => {
            const what = `link ${i + j} (${query.slice(0, 80)}…)`;
            const { page, problems } = await open(gpuContext, origin, query);
            const s = await waitForLab(page, (s) => s.status === 'ready' || s.status === 'unavailable' || s.notices.length > 0, undefined, 30_000);
            if (s.notices.length > 0) await page.getByTestId('notice').first().waitFor({ state: 'visible', timeout: 10_000 });
            // The last links each carry one payload: the banner shows it as text.
            const payload = PAYLOADS[i + j - (links.length - PAYLOADS.length)];
            if (payload) {
              const text = await page.getByTestId('notice').first().innerText();
              assert.ok(text.includes(payload.slice(0, 10)), `${what}: the banner does not show the payload as text: ${text}`);
            }
            await assertNothingRan(page, what);
            // The page rewrote its address to the canonical link of the spec it opened.
            const spec = await snapshot(page);
            assert.ok(Number.isInteger(spec.spec.task.d) && spec.spec.task.d >= 1, `${what}: task.d = ${spec.spec.task.d}`);
            assertNoProblems(problems);
            await page.close();
          }),
        );
      }
    },
  },
];
