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
  {
    name: 'keyboard: the confirmation dialog opens with Cancel focused, Escape declines, Tab then Enter accepts',
    async run({ gpuContext, origin }) {
      const { page, problems } = await open(gpuContext, origin, 'v=1&d=3&n=10&B=256&T=200000&lr=0.01&ep=1024');
      await waitForLab(page, (s) => s.status === 'ready');
      await page.click('button[data-action="train"]');
      await waitForLab(page, (s) => s.status === 'running' && s.step > 0);
      await page.click('button[data-action="pause"]');
      const paused = await waitForLab(page, (s) => s.status === 'paused');
      const dialog = page.locator('dialog[data-testid="confirm-dialog"]');
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-action'));
      const dBox = page.locator('[data-field="task.d"] input[type="text"]');
      // Escape declines: the run and the spec stay.
      await dBox.fill('4');
      await dBox.press('Enter');
      await page.waitForFunction(() => document.querySelector('dialog[data-testid="confirm-dialog"]')?.open === true);
      assert.match(await dialog.getByTestId('confirm-message').innerText(), /Changing dimension d starts a new run and discards the current one/);
      assert.equal(await focused(), 'confirm-cancel');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => !document.querySelector('dialog[data-testid="confirm-dialog"]')?.open);
      const kept = await snapshot(page);
      assert.equal(kept.spec.task.d, 3);
      assert.equal(kept.step, paused.step);
      await page.waitForFunction(() => document.querySelector('[data-field="task.d"] input[type="text"]')?.value === '3');
      // Tab to the accepting button, Enter: a new run with d = 4.
      await dBox.fill('4');
      await dBox.press('Enter');
      await page.waitForFunction(() => document.querySelector('dialog[data-testid="confirm-dialog"]')?.open === true);
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'confirm-accept');
      await page.keyboard.press('Enter');
      const fresh = await waitForLab(page, (s) => s.status === 'ready' && s.spec.task.d === 4);
      assert.equal(fresh.step, 0);
      assertNoProblems(problems);
      await page.close();
    },
  },
];
