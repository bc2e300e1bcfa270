// Uniforms shared by the training kernels. RunParams is written once per run
// (base_step once per submission); StepInfo is one 256-byte slot per step of a
// submission, selected with a dynamic offset, so many steps share one pass.
struct RunParams {
  data_seed: u32,
  base_step: u32,
  optimizer: u32,   // 0 SGD, 1 Adam, 2 AdamW, 3 Lion, 4 Muon, 5 PolarGrad, 6 SOAP
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  momentum: f32,
  inv_batch: f32,
  clip: f32,
  nesterov: u32,
}

// Per-step values computed on the CPU in float64 for each submission: the
// scheduled learning rate and Adam's bias corrections 1/(1 − β^t) (SOAP's step
// factor √(1 − β₂ᵗ)/(1 − β₁ᵗ) in bias1), which in
// float32 would lose most of their digits to cancellation at small t.
// set_epoch and set_offset place step·B in a fixed training set of N prompts:
// ⌊step·B / N⌋ (mod 2^32) and step·B mod N (shaders/train_key.wgsl).
struct StepInfo {
  local: u32,
  lr: f32,
  bias1: f32,
  bias2: f32,
  set_epoch: u32,
  set_offset: u32,
  // SOAP: bit 0 its first step (set up the preconditioner, no update), bit 1 refresh the eigenbases.
  opt_flags: u32,
  // The first prompt of this dispatch of the training kernel, where a step is split (engine/dispatchParts.ts).
  prompt_base: u32,
}
