import { describe, expect, it } from 'vitest';
import { DARK_PLOT, forExport, LIGHT_PLOT, type PlotTheme } from '../src/ui/plotTheme.ts';

/** Every (dark, light) colour pair by role. */
function pairs(a: PlotTheme, b: PlotTheme): [string, string][] {
  const out: [string, string][] = [];
  const walk = (x: unknown, y: unknown) => {
    if (typeof x === 'string' && typeof y === 'string') out.push([x, y]);
    else if (Array.isArray(x) && Array.isArray(y)) x.forEach((v, i) => walk(v, y[i]));
    else if (x && y && typeof x === 'object' && typeof y === 'object') for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]);
  };
  walk(a, b);
  return out.filter(([x]) => x !== a.name);
}

describe('plot themes', () => {
  it('give every role a colour in both themes, and each dark colour one light twin', () => {
    const all = pairs(DARK_PLOT, LIGHT_PLOT);
    expect(all.length).toBeGreaterThan(20);
    const twin = new Map<string, string>();
    for (const [dark, light] of all) {
      expect(light, `no light colour for ${dark}`).toBeTypeOf('string');
      if (twin.has(dark)) expect(twin.get(dark), `${dark} has two light twins`).toBe(light);
      twin.set(dark, light);
    }
    // A dark colour that changes on export never has another role in the light theme.
    const lightColours = new Set(all.map(([, l]) => l));
    for (const [dark, light] of twin) if (dark !== light) expect(lightColours.has(dark), `${dark} is also a light-theme colour`).toBe(false);
  });

  it('exports a dark figure in light colours, keeping data and text', () => {
    const x = new Float64Array([1, 2, 3]);
    const data = [{ type: 'scatter', name: 'model', x, y: [1, 2, 3], line: { color: DARK_PLOT.series.blue, width: 1.6 } }];
    const layout = {
      font: { color: DARK_PLOT.font, size: 12 },
      xaxis: { gridcolor: DARK_PLOT.grid, zerolinecolor: DARK_PLOT.zeroline },
      legend: { bgcolor: 'rgba(30, 41, 59, 0.8)' },
      annotations: [{ text: 'L*', font: { color: DARK_PLOT.series.amberText } }],
    };
    const [trace] = forExport(data);
    expect(trace.line.color).toBe(LIGHT_PLOT.series.blue);
    expect(trace.x).toBe(x);
    expect(trace.name).toBe('model');
    expect(data[0].line.color).toBe(DARK_PLOT.series.blue);
    const out = forExport(layout);
    expect(out.font).toEqual({ color: LIGHT_PLOT.font, size: 12 });
    expect(out.xaxis).toEqual({ gridcolor: LIGHT_PLOT.grid, zerolinecolor: LIGHT_PLOT.zeroline });
    expect(out.legend.bgcolor).toBe(LIGHT_PLOT.legendBg);
    expect(out.annotations[0]).toEqual({ text: 'L*', font: { color: LIGHT_PLOT.series.amberText } });
    // A light figure is left as it is.
    expect(forExport({ font: { color: LIGHT_PLOT.font }, plot_bgcolor: LIGHT_PLOT.plotBg })).toEqual({ font: { color: LIGHT_PLOT.font }, plot_bgcolor: LIGHT_PLOT.plotBg });
  });
});
