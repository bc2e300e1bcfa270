// Stands in for the model's predict file in eval.wgsl when eval_model.wgsl
// computes the model's column in its own dispatch: no state, a column of zeros
// that the model kernel then overwrites.

struct ModelAcc {
  unused: f32,
}

fn model_begin(xq: array<f32, DIM>) -> ModelAcc { return ModelAcc(0.0); }

fn model_accumulate(m: ptr<function, ModelAcc>, x: array<f32, DIM>, y: array<f32, NT>) {}

fn model_finish(m: ptr<function, ModelAcc>, n: u32) -> array<f32, NT> { return array<f32, NT>(); }
