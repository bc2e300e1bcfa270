// Browser tests of the formulas: KaTeX typesets the "What you are looking at"
// panels (HTML and MathML) from the page's own files, with no request
// elsewhere and nothing the CSP must block, and the numbers in them are the
// run's (η*, L* and η_eff for LSA; ω_h and μ_h for softmax attention).
import assert from 'node:assert/strict';
import { assertNoProblems, open, trainToDone, waitForLab } from '../lib.mjs';

/** Opens every explainer and waits until each holds typeset math; returns their texts. */
async function openExplainers(page) {
  const panels = page.locator('details.explainer');
  const n = await panels.count();
  assert.ok(n >= 2, `${n} explainer panels`);
  for (let i = 0; i < n; i++) {
    await panels.nth(i).locator('summary').press('Enter');
    await panels.nth(i).locator('.katex').first().waitFor({ timeout: 20_000 });
  }
  assert.equal(await page.locator('details.explainer .katex-error').count(), 0, 'a formula failed to typeset');
  assert.ok((await page.locator('details.explainer .katex-mathml math').count()) > 0, 'no MathML for screen readers');
  // KaTeX's own font, loaded from the site.
  await page.waitForFunction(() => document.fonts.check('16px KaTeX_Main'));
  return panels.allInnerTexts();
}

export const tests = [
  {
    name: 'formulas: KaTeX typesets the LSA panels with this run’s η*, L* and η_eff, from the site’s own files (no outside request, no CSP report)',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=5&n=20&B=256&T=200&lr=0.02&tau2=1&s2=0.1&ep=2048');
      await waitForLab(page, (s) => s.status === 'ready');
      const s = await trainToDone(page);
      const texts = (await openExplainers(page)).join('\n');
      // η* = nτ²/(τ²(n+d+1)+σ²) and L* = τ²d(d+1+r)/(n+d+1+r)+σ², as the page's theory has them.
      const etaStar = 20 / (26 + 0.1);
      const lStar = (5 * (6 + 0.1)) / (26 + 0.1) + 0.1;
      assert.ok(Math.abs(s.theory.gdLoss - lStar) < 1e-9, JSON.stringify(s.theory));
      assert.ok(texts.includes(String(Number(etaStar.toPrecision(4)))), `η* ${etaStar.toPrecision(4)} not in: ${texts}`);
      assert.ok(texts.includes(String(Number(lStar.toPrecision(4)))), `L* ${lStar.toPrecision(4)} not in: ${texts}`);
      assert.ok(texts.includes(String(Number(s.etaEff[0].toPrecision(4)))), `η_eff ${s.etaEff[0]} not in: ${texts}`);
      // The heatmap captions and Γ's caption typeset their math; the identification gives the named candidate's formula.
      for (const where of ['section[aria-label="W_KQ"] .caption', 'section[aria-label="W_PV"] .caption', '.gamma-error'])
        await page.locator(`${where} .katex`).first().waitFor({ timeout: 20_000 });
      const best = page.getByTestId('identification-best');
      assert.equal(await best.getAttribute('data-explained'), 'true', `not explained: ${await best.innerText()}`);
      const formula = page.getByTestId('identification-formula');
      await formula.locator('.katex').waitFor({ timeout: 20_000 });
      const predictor = s.identification.best;
      assert.equal(predictor, 'oneStepGd', `identified as ${predictor}`);
      assert.match(await formula.locator('[data-tex]').getAttribute('data-tex'), /^\\hat y = \\eta\\, x_q\^\\top u/);
      assert.equal(await page.locator('.katex-error').count(), 0, 'a formula failed to typeset');
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'formulas: the softmax panels give He et al.’s reduced predictor at this run’s ω_h and μ_h',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&model=softmax&init=default&H=2&d=3&n=10&B=128&T=150&lr=0.01&ep=1024');
      await waitForLab(page, (s) => s.status === 'ready');
      const s = await trainToDone(page);
      const texts = (await openExplainers(page)).join('\n');
      for (const v of [...s.softmax.omega, ...s.softmax.mu.map(Math.abs)]) assert.ok(texts.includes(String(Number(v.toPrecision(3)))), `${v.toPrecision(3)} not in: ${texts}`);
      assert.match(texts, /softmax/);
      assertNoProblems(problems);
      await page.close();
    },
  },
  {
    name: 'formulas: on rotated AR(1) data the model panel gives Γ*’s closed form with n, σ², τ² plugged in; a whitened prior gives n/(n+d+1+σ²)·Σ⁻¹',
    async run({ gpuContext, origin }) {
      for (const [query, want] of [
        ['v=1&d=3&n=10&cov=ar1&rho=0.6&rot=1&B=128&T=60&lr=0.02&s2=0.1&tau2=1&ep=1024', String.raw`\Gamma^*=\Big[\tfrac{n+1}{n}\,\Sigma+\tfrac{\operatorname{tr}\Sigma+\sigma^2/\tau^2}{n}\,I\Big]^{-1}=\Big[\tfrac{11}{10}\,\Sigma+\tfrac{3+0.1}{10}\,I\Big]^{-1}\quad(\operatorname{tr}\Sigma=d)`],
        ['v=1&d=3&n=10&cov=ar1&rho=0.6&rot=1&prior=whitened&B=128&T=60&lr=0.02&s2=0.1&ep=1024', String.raw`\Gamma^*=\frac{n}{n+d+1+\sigma^2}\,\Sigma^{-1}=\frac{10}{10+3+1+0.1}\,\Sigma^{-1}`],
      ]) {
        const { page, problems } = await open(gpuContext, origin, query);
        await waitForLab(page, (s) => s.status === 'ready');
        await trainToDone(page);
        await page.locator('details[data-explainer="model"] > summary').click();
        await page.locator('details[data-explainer="model"] .katex').first().waitFor({ timeout: 20_000 });
        const texs = await page.locator('details[data-explainer="model"] [data-tex]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tex')));
        assert.ok(texs.includes(want), `no ${want} among ${texs.join(' | ')}`);
        assertNoProblems(problems);
        await page.close();
      }
    },
  },
];
