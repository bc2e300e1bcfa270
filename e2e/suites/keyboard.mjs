// Browser tests of the keyboard shortcuts (Space trains and pauses, → steps,
// neither while a text box has focus), the help popover that lists them
// (opened and closed from the keyboard), and the first-visit hint (shown
// until the first run, then not again in this browser).
import assert from 'node:assert/strict';
import { assertNoProblems, open, snapshot, waitForLab } from '../lib.mjs';

const HINT_KEY = 'icl-lab:first-run-done';

export const tests = [
  {
    name: 'keyboard: the first-visit hint shows until the first run; Space trains and pauses, → steps, a focused text box keeps its keys; the help popover lists them',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=3&n=10&B=256&T=200000&lr=0.01&ep=1024', {
        // A first visit: nothing remembered (once, so a reload keeps what the page stored).
        beforeLoad: (p) =>
          p.addInitScript((key) => {
            if (!sessionStorage.getItem('fresh-visit')) {
              localStorage.removeItem(key);
              sessionStorage.setItem('fresh-visit', '1');
            }
          }, HINT_KEY),
      });
      await waitForLab(page, (s) => s.status === 'ready');
      const hint = page.getByTestId('first-visit-hint');
      await hint.waitFor();
      assert.match(await hint.innerText(), /Pick a preset and press Train/);

      // A focused number box keeps Space (no training starts).
      const lr = page.locator('[data-field="optimizer.lr"] input').last();
      await lr.focus();
      await page.keyboard.press('Space');
      await page.waitForTimeout(300);
      assert.equal((await snapshot(page)).status, 'ready');

      // Space on the page trains; Space again pauses.
      await page.locator('h1').click();
      await page.keyboard.press('Space');
      await waitForLab(page, (s) => s.status === 'running' && s.step > 0);
      await hint.waitFor({ state: 'detached' });
      await page.keyboard.press('Space');
      const paused = await waitForLab(page, (s) => s.status === 'paused');
      // → takes exactly one step.
      await page.keyboard.press('ArrowRight');
      const stepped = await waitForLab(page, (s, n) => s.status === 'paused' && s.step === n + 1, paused.step);
      assert.equal(stepped.step, paused.step + 1);
      assert.equal(await page.evaluate((k) => localStorage.getItem(k), HINT_KEY), '1');

      // The help popover from the keyboard: Enter opens it, Escape closes it and gives the focus back.
      const help = page.locator('button[data-action="help"]');
      await help.focus();
      await page.keyboard.press('Enter');
      const pop = page.getByTestId('help-popover');
      await pop.waitFor();
      const text = await pop.innerText();
      assert.match(text, /Space/);
      assert.match(text, /→/);
      assert.equal(await help.getAttribute('aria-expanded'), 'true');
      await page.keyboard.press('Escape');
      await pop.waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'help');

      // Not shown again after a reload.
      await page.reload();
      await waitForLab(page, (s) => s.status === 'ready');
      await page.waitForTimeout(300);
      assert.equal(await page.getByTestId('first-visit-hint').count(), 0);
      assertNoProblems(problems);
      await page.close();
    },
  },
];
