// The model's column of the evaluation rows, in a dispatch of its own: where
// the model's running state and the baselines' XᵀX and Cholesky factor would
// not fit one thread's private memory together (large d with many heads on a
// CPU-emulated GPU), eval.wgsl runs with eval_no_model.wgsl and this kernel
// fills column 1 after it. Same prompts (the same keys and draws), so the rows
// are the fused kernel's, bit for bit.
// Needs from the prelude: DIM, NT; eval_common.wgsl; the model's predict file.

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= ev.count) { return; }
  let key = prompt_key(ev.seed, ev.step_word, ev.first + row);
  let w = task_w(key);
  let qp = task_point(key, QUERY_REC);
  var m = model_begin(qp.x);
  for (var i = 0u; i < ev.n_ctx; i++) {
    let pt = task_point(key, CTX_REC + i);
    let y = labels(w, pt.x, pt.noise, true);
    model_accumulate(&m, pt.x, y);
  }
  let model = model_finish(&m, ev.n_ctx);
  for (var t = 0u; t < NT; t++) { out[(row * NT + t) * OUT_STRIDE + 1u] = model[t]; }
}
