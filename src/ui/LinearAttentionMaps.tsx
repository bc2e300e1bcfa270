// Linear attention with several heads, separate K and Q or several layers:
// every parameter matrix as its own heatmap, per layer and head in the
// model's order (for separate K and Q, with the product W_KᵀW_Q that acts as
// the head's W_KQ), wrapping across the page.
import { useLab } from '../store/labStore.ts';
import { Heatmap } from './Heatmap.tsx';

export function LinearAttentionMaps() {
  const names = useLab((s) => s.matrices?.map((m) => m.name).join('\n') ?? '');
  const list = names ? names.split('\n') : [];
  return (
    <div className="heatmaps heatmaps-wrap" data-testid="la-maps">
      {list.length === 0 ? <div className="plot heatmap-plot placeholder">waiting for the model…</div> : list.map((n) => <Heatmap key={n} name={n} />)}
    </div>
  );
}
