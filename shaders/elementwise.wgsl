// The elementwise optimizers' step for parameter i from its batch-mean
// gradient: SGD (heavy ball or Nesterov), Adam, AdamW, Lion. The float64
// reference is src/engine/optimizer.ts. Needs params, opt_state (m then v),
// run and stepi from the kernel that includes it.
fn opt_elementwise(i: u32, grad: f32) {
  let lr = stepi.lr;
  var theta = params[i];
  if (run.optimizer == 1u || run.optimizer == 2u) {
    let m = run.beta1 * opt_state[i] + (1.0 - run.beta1) * grad;
    let v = run.beta2 * opt_state[NP + i] + (1.0 - run.beta2) * grad * grad;
    opt_state[i] = m;
    opt_state[NP + i] = v;
    let mhat = m * stepi.bias1;
    let vhat = v * stepi.bias2;
    if (run.optimizer == 1u) {
      theta = theta - lr * (mhat / (sqrt(vhat) + run.eps) + run.weight_decay * theta);
    } else {
      // AdamW: the decay first, as torch.optim.AdamW.
      theta = theta * (1.0 - lr * run.weight_decay) - lr * (mhat / (sqrt(vhat) + run.eps));
    }
  } else if (run.optimizer == 3u) {
    // Lion: the sign of β₁m + (1 − β₁)g, then m ← β₂m + (1 − β₂)g.
    let m = opt_state[i];
    let c = run.beta1 * m + (1.0 - run.beta1) * grad;
    theta = theta * (1.0 - lr * run.weight_decay) - lr * sign(c);
    opt_state[i] = run.beta2 * m + (1.0 - run.beta2) * grad;
  } else {
    let m = run.momentum * opt_state[i] + grad;
    opt_state[i] = m;
    var u = m;
    if (run.nesterov != 0u) { u = grad + run.momentum * m; }
    theta = theta - lr * (u + run.weight_decay * theta);
  }
  params[i] = theta;
}
