// What the evaluation kernels share (eval.wgsl, and eval_model.wgsl where the
// model's column is computed in a dispatch of its own): the prompts to
// evaluate, the parameters, and the output rows.
// Needs from the prelude: NT, NUM_GAMMAS, NUM_GD.

// Prompts first … first + count − 1 of the evaluation stream, written from row 0.
struct EvalParams {
  seed: u32,
  step_word: u32,
  n_ctx: u32,
  count: u32,
  first: u32,
}

@group(0) @binding(0) var<uniform> ev: EvalParams;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

// Each output's row: [y_q, model, ridge, OLS, debiased, dMMSE, k-step GD runs…, one-step predictors…].
const FIXED_COLS: u32 = 6u;
const OUT_STRIDE: u32 = FIXED_COLS + NUM_GD + NUM_GAMMAS;
