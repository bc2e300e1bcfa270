// Number formatting for readouts: significant digits, not fixed decimals, since
// the lab's quantities span decades (learning rates, losses, step counts).

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(digits - 1).replace('-', '−');
  return Number(x.toPrecision(digits)).toString().replace('-', '−');
}

export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** "1.234 ± 0.005", with the error shown to two significant digits. */
export function fmtEstimate(mean: number, stderr: number): string {
  return `${fmt(mean)} ± ${fmt(stderr, 2)}`;
}
