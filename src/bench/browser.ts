// The benchmark in the page: scripts/bench.ts opens scripts/bench/index.html in
// headless Chromium and calls window.__bench(ids) for the browser's figures.
import { acquireDevice } from '../gpu/device.ts';
import { BENCH_GRID } from './grid.ts';
import { benchCase, type BenchResult } from './run.ts';

declare global {
  interface Window {
    __bench?: (ids: string[], options: { runs: number; secondsPerRun: number }) => Promise<BenchResult[]>;
  }
}

window.__bench = async (ids, options) => {
  const gpu = await acquireDevice(navigator.gpu);
  const log = document.getElementById('log')!;
  const out: BenchResult[] = [];
  try {
    for (const c of BENCH_GRID.filter((g) => ids.includes(g.id))) {
      log.textContent += `\n${c.id}…`;
      out.push(await benchCase(gpu.device, c, { adapter: gpu.description, skipCpu: true, ...options }));
    }
  } finally {
    gpu.device.destroy();
  }
  return out;
};
