// How a model matrix is labelled and scaled when drawn: token coordinate
// names (x₁ … x_d, y or y₁ … y_k), output names, and the half-width of its
// symmetric colour range. Shared by the page's heatmaps and the animation
// frames the runner writes.
import type { NamedMatrix } from './types.ts';

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';
function sub(n: number): string {
  return String(n).replace(/\d/g, (c) => SUBSCRIPT[Number(c)]);
}

/** Covariate names x₁ … x_d (the rows and columns of a d×d preconditioner). */
export function xLabels(d: number): string[] {
  return Array.from({ length: d }, (_, i) => `x${sub(i + 1)}`);
}

/** Token coordinate names: x₁ … x_d, then the labels y (one output) or y₁ … y_k. */
export function tokenLabels(d: number, k = 1): string[] {
  return [...xLabels(d), ...(k === 1 ? ['y'] : Array.from({ length: k }, (_, t) => `y${sub(t + 1)}`))];
}

/** Output names ŷ₁ … ŷ_k (the columns of OV^h with k outputs). */
export function outputLabels(k: number): string[] {
  return Array.from({ length: k }, (_, t) => `ŷ${sub(t + 1)}`);
}

/**
 * Half-width of a matrix's symmetric colour range: its largest |entry| among
 * those that train (all entries if none do; 1 for an all-zero matrix).
 */
export function colourRange(m: NamedMatrix): number {
  let maxTrained = 0;
  let maxAll = 0;
  for (let i = 0; i < m.data.length; i++) {
    const a = Math.abs(m.data[i]);
    if (!Number.isFinite(a)) continue;
    maxAll = Math.max(maxAll, a);
    if (!m.noGradient[i]) maxTrained = Math.max(maxTrained, a);
  }
  return maxTrained > 0 ? maxTrained : maxAll > 0 ? maxAll : 1;
}
