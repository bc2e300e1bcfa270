// One colour per softmax head, shared by the ω/μ plot, the head panels and the
// head table so a line can be matched to its head at a glance. Ten distinct
// hues; heads beyond ten reuse them (the panels are numbered as well).
const HEAD_COLOURS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#a16207'];

export function headColour(h: number): string {
  return HEAD_COLOURS[h % HEAD_COLOURS.length];
}

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';

export function sub(n: number): string {
  return String(n).replace(/\d/g, (c) => SUBSCRIPT[Number(c)]);
}
