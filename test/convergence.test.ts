// Steps to within 1% of the theory's optimum, and the tuned comparison of a
// learning-rate sweep.
import { describe, expect, it } from 'vitest';
import { convergence, convergenceWindow } from '../src/analysis/convergence.ts';
import { tuneSweep, tunedTableMarkdown } from '../src/analysis/tuning.ts';
import { decodeSweep, encodeSweep, expandSweep } from '../src/spec/sweep.ts';
import type { PointAggregate } from '../src/analysis/sweepPoints.ts';

describe('convergence', () => {
  it('a loss decaying as L*(1 + e^(−t/τ)) with noise is within 1% at about τ·ln 100 (within the window), and never when it stalls above', () => {
    const T = 4000;
    const tau = 300;
    let s = 12345;
    const noise = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32 - 0.5) * 0.1;
    };
    const losses = Float32Array.from({ length: T }, (_, t) => 2 * (1 + Math.exp(-t / tau)) * (1 + noise()));
    const c = convergence(losses, 256, 2, 'L*', 2.01);
    expect(c.window).toBe(convergenceWindow(256, T));
    expect(c.window).toBe(128);
    const expected = tau * Math.log(100);
    // The trailing window lags its centre by half a window.
    expect(c.stepsToTarget!).toBeGreaterThan(expected);
    expect(c.stepsToTarget!).toBeLessThan(expected + c.window);
    expect(c.finalRatio).toBeCloseTo(1.005, 10);
    const stalled = convergence(losses.map((v) => v * 1.05), 256, 2, 'L*', 2.1);
    expect(stalled.stepsToTarget).toBeNull();
  });

  it('the window holds about 32,768 prompts, at least 10 steps and at most a twentieth of the run', () => {
    expect(convergenceWindow(256, 100_000)).toBe(128);
    expect(convergenceWindow(65536, 100_000)).toBe(10);
    expect(convergenceWindow(256, 1000)).toBe(50);
  });
});

describe('tuned comparison', () => {
  const link = 'v=1&d=4&n=10&T=100&sv=1&sweep=lr:0.001,0.01,0.1&sweep=opt:adam,lion&seeds=2&odef=1';

  it('odef=1 gives each swept optimizer its source defaults, named in the notes, and survives the link', () => {
    const { sweep, errors } = decodeSweep(link);
    expect(errors).toEqual([]);
    expect(sweep!.sourceDefaults).toBe(true);
    expect(encodeSweep(sweep!)).toMatch(/&odef=1$/);
    const runs = expandSweep(sweep!);
    const lion = runs.find((r) => r.spec.optimizer.kind === 'lion')!;
    expect(lion.spec.optimizer.beta2).toBe(0.99);
    expect(lion.notes.join(' ')).toMatch(/Lion \(Chen et al\. 2023.*b2 = 0\.99/);
    const plain = expandSweep(decodeSweep(link.replace('&odef=1', '')).sweep!);
    expect(plain.find((r) => r.spec.optimizer.kind === 'lion')!.spec.optimizer.beta2).toBe(0.999);
    expect(decodeSweep(link.replace('odef=1', 'odef=yes')).errors.map((e) => e.message).join(' ')).toMatch(/odef = "yes" is not 0 or 1/);
  });

  it('picks per optimizer the rate with the lowest mean test MSE, passing over rates where a seed diverged', () => {
    const { sweep } = decodeSweep(link);
    const mse: Record<string, number[]> = { adam: [0.5, 0.2, 0.3], lion: [0.25, 0.1, 0.9] };
    const points: (PointAggregate & { coords: (string | number)[] })[] = [];
    sweep!.axes[0].values.forEach((lr, i) =>
      sweep!.axes[1].values.forEach((opt) => {
        const diverged = opt === 'lion' && i === 1 ? 1 : 0;
        points.push({
          coords: [lr as number, opt as string],
          done: 2 - diverged,
          diverged,
          failed: 0,
          metrics: { 'test.model': { mean: mse[opt as string][i], stderr: 0.01, n: 2 - diverged }, 'convergence.stepsToTarget': { mean: 50, stderr: null, n: 1 } },
          identified: { 'one-step GD': 2 - diverged },
          identifiedMode: 'one-step GD',
          length: [],
        });
      }),
    );
    const t = tuneSweep(sweep!, points);
    expect(t.grouped).toBe('optimizer.kind');
    expect(t.rows.map((r) => [r.group, r.best])).toEqual([
      ['adam', 0.01],
      ['lion', 0.001],
    ]);
    const md = tunedTableMarkdown(t);
    expect(md.split('\n')[0]).toMatch(/^\| opt \| best lr \| test MSE \(model\) \|/);
    expect(md).toMatch(/\| lion \| 0\.001 \| 0\.2500 ± 0\.010 \|/);
    expect(md).toMatch(/50\.0 \(1\/2\)/);
    expect(() => tuneSweep(decodeSweep('v=1&sv=1&sweep=H:1,2').sweep!, [])).toThrow(/does not vary optimizer\.lr/);
  });
});
