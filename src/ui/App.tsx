import { setLossLogScale, useLab } from '../store/labStore.ts';
import { ExportExperiment } from './ExportExperiment.tsx';
import { ImportExperiment } from './ImportExperiment.tsx';
import { EtaPlot } from './EtaPlot.tsx';
import { ExportAllHeatmaps } from './ExportAllHeatmaps.tsx';
import { ExportMenu } from './ExportMenu.tsx';
import { GammaCompare } from './GammaCompare.tsx';
import { Heatmap } from './Heatmap.tsx';
import { LinearAttentionMaps } from './LinearAttentionMaps.tsx';
import { isGeneralLinearAttention } from '../spec/validate.ts';
import { Identification } from './Identification.tsx';
import { LengthPlot, shiftLegendName } from './LengthPlot.tsx';
import { LossPlot } from './LossPlot.tsx';
import { Notices } from './Notices.tsx';
import { OmegaMuPlot } from './OmegaMuPlot.tsx';
import { Readouts } from './Readouts.tsx';
import { ReducedCompare } from './ReducedCompare.tsx';
import { RunControls } from './RunControls.tsx';
import { ShiftResults, TrainSetLine } from './ShiftResults.tsx';
import { SoftmaxHeads } from './SoftmaxHeads.tsx';
import { ShareLink } from './ShareLink.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';
import { HelpPopover } from './HelpPopover.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { LossExplainer, ModelExplainer, ReducedExplainer } from './Explainer.tsx';
import { SpecControls } from './SpecControls.tsx';
import { TaskPicker } from './TaskPicker.tsx';
import { WebGpuUnavailable } from './WebGpuUnavailable.tsx';
import { ExampleResultLoader } from './ExampleResultLoader.tsx';
import { useSweep } from '../store/sweepStore.ts';
import { ModeSwitch } from './sweep/ModeSwitch.tsx';
import { SweepBaseLock } from './sweep/SweepBaseLock.tsx';
import { SweepPanel } from './sweep/SweepPanel.tsx';
import { SweepShareLink } from './sweep/SweepShareLink.tsx';
import { SweepView } from './sweep/SweepView.tsx';
import { ComparePanel } from './compare/ComparePanel.tsx';
import { PinButton } from './compare/PinButton.tsx';

function AdapterChip() {
  const gpu = useLab((s) => s.gpu);
  const text = gpu.kind === 'ready' ? gpu.description : gpu.kind === 'pending' ? 'looking for a GPU…' : 'no WebGPU';
  return (
    <span className={`chip chip-${gpu.kind}`} title="WebGPU adapter" data-testid="adapter">
      <span className="chip-label">GPU</span> {text}
    </span>
  );
}

function LogScaleToggle() {
  const log = useLab((s) => s.lossLogScale);
  return (
    <label className="toggle">
      <input type="checkbox" data-testid="loss-log" checked={log} onChange={(e) => setLossLogScale(e.target.checked)} />
      log
    </label>
  );
}

export function App() {
  const gpu = useLab((s) => s.gpu);
  const modelType = useLab((s) => s.spec.model.type);
  const general = useLab((s) => isGeneralLinearAttention(s.spec.model));
  const oneLayer = useLab((s) => s.spec.model.layers === 1);
  const hasTheory = useLab((s) => s.theory?.available === true);
  const k = useLab((s) => s.spec.task.tasks);
  const sweepMode = useSweep((s) => s.mode) === 'sweep';
  // Where there are curves on a test distribution, what their long dashes show.
  const shiftCurves = useLab((s) => (s.shiftLengthCurves === null ? null : shiftLegendName(s.spec) === 'fresh tasks' ? 'fresh tasks' : 'test distribution'));
  // Beside the ω/μ plot (softmax) the loss card is half as wide; the legend names L* there.
  const lossCaption =
    k > 1
      ? `batch MSE, mean of ${k} outputs; dashed: mean L*`
      : modelType === 'lsa' && !oneLayer
        ? 'batch MSE; dashed: L*, one layer\'s best; dotted: the multi-step candidates at their fitted constants; dash-dot: GD++ and the Bayes-optimal ridge'
        : modelType === 'lsa'
          ? 'batch MSE; dashed: L*, the best one-step GD; dash-dot: the Bayes-optimal ridge (test MSE)'
        : 'batch MSE of (ŷ − y_q)²';
  const lossCard = (
    <section className="card" aria-label="training loss">
      <header className="card-header" title={lossCaption}>
        <h2>Training loss</h2>
        <span className="card-tools">
          <span className="muted small">{lossCaption}</span>
          <LogScaleToggle />
          <ExportMenu title="loss" views={[{ name: 'loss', selector: '[data-testid="loss-plot"]' }]} />
        </span>
      </header>
      <LossPlot />
      <LossExplainer />
    </section>
  );
  const lengthCaption = shiftCurves ? `dashed: training n; long dashes: ${shiftCurves}` : 'fresh prompts; dashed: training n';
  const lengthCard = (
    <section className="card" aria-label="test MSE against context length">
      <header className="card-header" title={`fresh prompts at each context length; dashed: the training n${shiftCurves ? `; long-dashed with open markers: ${shiftCurves}` : ''}`}>
        <h2>Test MSE vs context length</h2>
        <span className="card-tools">
          <span className="muted small">{lengthCaption}</span>
          <ExportMenu title="length curve" views={[{ name: 'length curve', selector: '[data-testid="length-plot"]' }]} />
        </span>
      </header>
      <TaskPicker label="task shown in the length plot" />
      <LengthPlot />
    </section>
  );
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <h1>ICL Lab</h1>
          <span className="tagline">one attention layer learning linear regression in context</span>
        </div>
        <div className="topbar-tools">
          <ModeSwitch />
          {sweepMode ? <SweepShareLink /> : <ShareLink />}
          <AdapterChip />
          <HelpPopover />
          <ThemeToggle />
        </div>
      </header>
      <Notices />
      <ConfirmDialog />
      <div className="layout">
        <aside className="sidebar">
          {sweepMode ? <SweepPanel /> : null}
          <section className="card" hidden={sweepMode}>
            <RunControls />
            <ExportExperiment />
            <ImportExperiment />
            <ExportAllHeatmaps />
            <PinButton />
          </section>
          <section className="card">
            <SweepBaseLock>
              <SpecControls />
            </SweepBaseLock>
          </section>
        </aside>
        <main className="main">
          {sweepMode ? <SweepView /> : null}
          {!sweepMode && gpu.kind === 'unavailable' ? (
            <>
              <WebGpuUnavailable gpu={gpu} />
              <ExampleResultLoader />
            </>
          ) : null}
          {!sweepMode && gpu.kind !== 'unavailable' ? (
            <>
              <Readouts />
              <Identification />
              <TrainSetLine />
              <ShiftResults />
              {modelType === 'lsa' ? (
                <>
                  <div className={oneLayer ? 'plot-row lsa-row' : 'plot-row'}>
                    {lossCard}
                    {/* One layer is one GD step with η_eff; L ≥ 2 layers have no single step size to plot. */}
                    {oneLayer ? (
                      <section className="card" aria-label="learned step size against step">
                        <header className="card-header" title="η_eff = (W_PV)_{d+1,d+1} · mean diag (W_KQ)_{1:d,1:d}; dashed: η*; below: ‖Γ_eff − Γ*‖_F / ‖Γ*‖_F">
                          <h2>
                            η<sub>eff</sub> vs step
                          </h2>
                          <span className="card-tools">
                            <span className="muted small">dashed: η*{hasTheory ? '; below: ‖Γ_eff − Γ*‖/‖Γ*‖' : ''}</span>
                            <ExportMenu title="η_eff" views={[{ name: 'eta_eff', label: 'η_eff', selector: '[data-testid="eta-plot"]' }]} />
                          </span>
                        </header>
                        <EtaPlot />
                      </section>
                    ) : null}
                    {lengthCard}
                  </div>
                  {general ? (
                    <>
                      <LinearAttentionMaps />
                      {hasTheory && oneLayer ? <GammaCompare /> : null}
                    </>
                  ) : (
                    <div className={hasTheory ? 'heatmaps heatmaps-3' : 'heatmaps'}>
                      <Heatmap name="W_KQ" />
                      <Heatmap name="W_PV" />
                      {hasTheory ? <GammaCompare /> : null}
                    </div>
                  )}
                  <section className="card explainer-card" aria-label="the model's equation">
                    <ModelExplainer />
                  </section>
                </>
              ) : (
                <>
                  <div className="plot-row">
                    {lossCard}
                    <section className="card" aria-label="omega and mu per head">
                      <header className="card-header">
                        <h2>
                          ω<sub>h</sub> and μ<sub>h</sub> per head
                        </h2>
                        <span className="card-tools">
                          <span className="muted small">{k > 1 ? "KQ's mean x-diagonal; OV's (y₁, ŷ₁) entry" : "KQ's mean x-diagonal; OV's last entry"}</span>
                          <ExportMenu title="ω and μ" views={[{ name: 'omega_mu', label: 'ω and μ', selector: '[data-testid="omega-mu-plot"]' }]} />
                        </span>
                      </header>
                      <OmegaMuPlot />
                    </section>
                  </div>
                  <SoftmaxHeads />
                  <section className="card explainer-card" aria-label="the model's equation and He et al.'s reduced predictor">
                    <ModelExplainer />
                    <ReducedExplainer />
                  </section>
                  <div className="plot-row length-row">
                    {lengthCard}
                    <ReducedCompare />
                  </div>
                </>
              )}
              <ComparePanel />
            </>
          ) : null}
        </main>
      </div>
    </div>
  );
}
