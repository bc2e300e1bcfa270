// What both softmax training kernels (softmax_train.wgsl, softmax_train_heads.wgsl)
// share: their bindings and where they read the per-step constants and write
// each prompt's rows.
// Needs from the prelude: DIM, NT, D, H, NP, SUM_CHUNKS.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> contrib: array<f32>;
@group(0) @binding(7) var<storage, read> work: array<f32>;

// After the batch sums' partials (softmax_sums.wgsl).
const PREP: u32 = NP + 1u + SUM_CHUNKS * (H * (NT * D + D * DIM) + 1u);
const PREP_HEAD: u32 = D * DIM + NT * D;
const ROW_HEAD: u32 = (NT + 1u) * D;
// Logits may stray this far from the shift: terms stay within e^±40, so the
// sums cannot overflow (a·s·z stays far below f32's 3e38) and the largest term
// cannot vanish.
const SHIFT_LIMIT: f32 = 40.0;
