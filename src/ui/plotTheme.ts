// The colours Plotly figures take from the page's theme (Plotly draws in SVG
// with its own colours, not the page's CSS): text, grid and zero lines, the
// plotting area, legend and label backgrounds, the hatch over no-gradient
// entries, the lines' colours. usePlotTheme() re-renders a plot when the theme
// changes. Exports are always figure-ready on white: forExport() maps every
// dark-theme colour in a figure to its light-theme twin.
import type { Layout } from 'plotly.js';
import { DIVERGING_STOPS } from '../export/animationFrame.ts';
import { useSyncExternalStore } from 'react';
import { getThemeState, subscribeTheme, type Theme, type ThemeSetting } from './theme.ts';

export interface PlotTheme {
  name: Theme;
  /** Axis labels, tick labels, titles. */
  font: string;
  /** Secondary text and marks (the "training n" line and label). */
  muted: string;
  grid: string;
  zeroline: string;
  /** The plotting area (the page's card colour). */
  plotBg: string;
  legendBg: string;
  /** Behind a reference line's label. */
  annotationBg: string;
  /** No-gradient entries: cell fill and hatch lines. */
  hatchFill: string;
  hatchLine: string;
  /** The heatmaps' diverging scale, blue < 0 < red. */
  diverging: [number, string][];
  /** Line colours, and darker ones for text labels in the same hue. */
  series: {
    blue: string;
    amber: string;
    purple: string;
    green: string;
    red: string;
    violet: string;
    amberText: string;
    greenText: string;
    violetText: string;
  };
  /** One colour per softmax head (or per task). */
  heads: string[];
}

export const LIGHT_PLOT: PlotTheme = {
  name: 'light',
  font: '#334155',
  muted: '#64748b',
  grid: '#eef1f5',
  zeroline: '#cbd5e1',
  plotBg: '#ffffff',
  legendBg: 'rgba(255,255,255,0.75)',
  annotationBg: 'rgba(255,255,255,0.7)',
  hatchFill: '#e2e8f0',
  hatchLine: 'rgba(71, 85, 105, 0.55)',
  diverging: DIVERGING_STOPS,
  series: {
    blue: '#2563eb',
    amber: '#d97706',
    purple: '#9333ea',
    green: '#059669',
    red: '#dc2626',
    violet: '#7c3aed',
    amberText: '#b45309',
    greenText: '#047857',
    violetText: '#6d28d9',
  },
  heads: ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#a16207'],
};

// Lighter hues that keep ≥ 3:1 against the dark card (#1e293b); text ≥ 4.5:1.
// No colour here has another role in LIGHT_PLOT (forExport maps them by value).
export const DARK_PLOT: PlotTheme = {
  name: 'dark',
  font: '#cdd5df',
  muted: '#94a3b8',
  grid: '#2b3a50',
  zeroline: '#4b5b73',
  plotBg: '#1e293b',
  legendBg: 'rgba(30,41,59,0.8)',
  annotationBg: 'rgba(30,41,59,0.75)',
  hatchFill: '#3b4759',
  hatchLine: 'rgba(203, 213, 225, 0.6)',
  // The same scale, with a centre a little dimmer than paper white.
  diverging: [
    [0, '#2166ac'],
    [0.2, '#67a9cf'],
    [0.4, '#d1e5f0'],
    [0.5, '#e9edf2'],
    [0.6, '#fddbc7'],
    [0.8, '#ef8a62'],
    [1, '#b2182b'],
  ],
  series: {
    blue: '#60a5fa',
    amber: '#fbbf24',
    purple: '#c084fc',
    green: '#34d399',
    red: '#f87171',
    violet: '#a78bfa',
    amberText: '#fcd34d',
    greenText: '#6ee7b7',
    violetText: '#c4b5fd',
  },
  heads: ['#60a5fa', '#f87171', '#34d399', '#fbbf24', '#a78bfa', '#22d3ee', '#f472b6', '#a3e635', '#b0bccb', '#facc15'],
};

export function plotThemeOf(theme: Theme): PlotTheme {
  return theme === 'dark' ? DARK_PLOT : LIGHT_PLOT;
}

/** The current theme's plot colours. */
export function currentPlotTheme(): PlotTheme {
  return plotThemeOf(getThemeState().theme);
}

/** The theme setting and its resolved theme, re-rendering on change. */
export function useThemeState(): { setting: ThemeSetting; theme: Theme } {
  return useSyncExternalStore(subscribeTheme, getThemeState, getThemeState);
}

/** The current theme's plot colours; a component using it redraws when the theme changes. */
export function usePlotTheme(): PlotTheme {
  return plotThemeOf(useThemeState().theme);
}

/** The shared look of the line plots: the theme's font on the card's background. */
export function plotBaseLayout(t: PlotTheme) {
  return {
    font: { family: 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: t.font },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: t.plotBg,
  };
}

const norm = (c: string) => c.replace(/\s+/g, '').toLowerCase();

/** Every colour string of one theme paired with the same role's colour in another. */
export function colourPairs(from: PlotTheme, to: PlotTheme): Map<string, string> {
  const pairs = new Map<string, string>();
  const walk = (a: unknown, b: unknown) => {
    if (typeof a === 'string' && typeof b === 'string') {
      if (a !== from.name) pairs.set(norm(a), b);
    } else if (Array.isArray(a) && Array.isArray(b)) a.forEach((v, i) => walk(v, b[i]));
    else if (a && b && typeof a === 'object' && typeof b === 'object')
      for (const key of Object.keys(a)) walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
  };
  walk(from, to);
  return pairs;
}

const DARK_TO_LIGHT = colourPairs(DARK_PLOT, LIGHT_PLOT);

/**
 * A copy of a figure's data or layout with every dark-theme colour replaced by
 * its light-theme twin (typed arrays and numbers kept as they are), so an
 * export reads on white whatever the page's theme.
 */
export function forExport<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return DARK_TO_LIGHT.get(norm(v)) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * The layout with a vertical line at the step the timeline shows (none when
 * live), across every panel: where on the curves the weight views are.
 */
export function withStepMarker(layout: Partial<Layout>, step: number | null, theme: PlotTheme): Partial<Layout> {
  if (step === null) return layout;
  return {
    ...layout,
    shapes: [...(layout.shapes ?? []), { type: 'line', xref: 'x', yref: 'paper', x0: step, x1: step, y0: 0, y1: 1, line: { color: theme.font, width: 1.2, dash: 'dot' } }],
  };
}
