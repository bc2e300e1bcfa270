// One colour per softmax head, shared by the ω/μ plot, the head panels and the
// head table so a line can be matched to its head at a glance. Ten distinct
// hues (per theme: plotTheme.ts); heads beyond ten reuse them (the panels are
// numbered as well).
import { LIGHT_PLOT, type PlotTheme } from './plotTheme.ts';

export function headColour(h: number, theme: PlotTheme = LIGHT_PLOT): string {
  return theme.heads[h % theme.heads.length];
}

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';

export function sub(n: number): string {
  return String(n).replace(/\d/g, (c) => SUBSCRIPT[Number(c)]);
}
