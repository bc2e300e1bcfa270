// Each candidate predictor of the identification as a formula (TeX), shown
// beside the name of the one that explains the model. u = (1/n) Σ_i y_i x_i;
// the fitted constants (η, Γ, c, …) are the ones the evaluation used.

const U = String.raw`u = \tfrac{1}{n}\textstyle\sum_i y_i x_i`;
const GD_STEP = String.raw`\hat L(w) = \tfrac{1}{2n}\textstyle\sum_i (w^\top x_i - y_i)^2`;

const FIXED: Record<string, string> = {
  oneStepGd: String.raw`\hat y = \eta\, x_q^\top u,\quad ${U}`,
  preconditionedGd: String.raw`\hat y = x_q^\top \Gamma\, u,\quad ${U}`,
  debiasedGd: String.raw`\hat y = c \textstyle\sum_i y_i\, (x_i - \bar x)^\top x_q`,
  ridge: String.raw`\hat y = x_q^\top \big(X^\top X + \sigma^2 \Sigma_w^{-1}\big)^{-1} X^\top y`,
  ols: String.raw`\hat y = x_q^\top (X^\top X)^{+} X^\top y`,
  dmmse: String.raw`\hat y = \textstyle\sum_m p_m\, w_m^\top x_q,\quad p_m \propto e^{-\lVert y - X w_m \rVert^2 / 2\sigma^2}`,
  stepsGd: String.raw`w_{\ell+1} = w_\ell - \eta_\ell \nabla \hat L(w_\ell),\quad ${GD_STEP}`,
  stepsPgd: String.raw`w_{\ell+1} = w_\ell - \Gamma_\ell \nabla \hat L(w_\ell)`,
  stepsAhn: String.raw`w_{\ell+1} = w_\ell - a_\ell \Sigma^{-1} \nabla \hat L(w_\ell)`,
  gdpp: String.raw`x_i \leftarrow \big(I - \gamma_\ell\, X^\top X / n\big)\, x_i,\ \text{then}\ w_{\ell+1} = w_\ell - \eta_\ell \nabla \hat L(w_\ell)`,
  reducedSoftmax: String.raw`\hat y = \textstyle\sum_h \mu_h \sum_i y_i \operatorname{softmax}_i\!\big(\omega_h\, x_i^\top x_q\big)`,
};

/** The formula of candidate `predictor` (an identification's PredictorId), or null for one without. */
export function predictorTex(predictor: string): string | null {
  if (predictor in FIXED) return FIXED[predictor];
  const steps = /^gd(\d+)$/.exec(predictor);
  if (steps) return String.raw`w_{t+1} = w_t - \eta \nabla \hat L(w_t),\ \hat y = w_{${steps[1]}}^\top x_q,\quad w_0 = 0`;
  const pcr = /^pcr(\d+)$/.exec(predictor);
  if (pcr) return String.raw`\hat y = x_q^\top V_{${pcr[1]}} M V_{${pcr[1]}}^\top u,\quad V_{${pcr[1]}}:\ \text{the top ${pcr[1]} eigenvectors of } \Sigma`;
  return null;
}
