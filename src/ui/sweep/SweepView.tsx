// The sweep mode's main column: the figure and the table of runs (with the
// WebGPU message above them where the page cannot train: saved runs still show).
import { useEffect } from 'react';
import { useLab } from '../../store/labStore.ts';
import { loadPlotly } from '../plotly.ts';
import { WebGpuUnavailable } from '../WebGpuUnavailable.tsx';
import { SweepFigure } from './SweepFigure.tsx';
import { SweepTable } from './SweepTable.tsx';
import './sweep.css';

export function SweepView() {
  const gpu = useLab((s) => s.gpu);
  // Plotly's bundle takes a long task to parse: load it now, not when the first run finishes mid-sweep.
  useEffect(() => void loadPlotly(), []);
  return (
    <div className="sweep-view" data-testid="sweep-view">
      {gpu.kind === 'unavailable' ? <WebGpuUnavailable gpu={gpu} /> : null}
      <SweepFigure />
      <SweepTable />
    </div>
  );
}
