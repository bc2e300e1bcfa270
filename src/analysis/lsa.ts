// Reading a trained linear self-attention layer as an algorithm (DESIGN.md §3-4).
// W_PV·c, W_KQ/c give the same predictions, so only scale-invariant products
// are compared with theory: Γ_eff = (W_PV)_{D,D} · (W_KQ)_{1:d,1:d} and
// η_eff = (W_PV)_{D,D} · mean(diag of W_KQ's x-block). With k outputs, output t
// reads row d + t of W_PV: Γ_eff⁽ᵗ⁾ = (W_PV)_{d+t,d+t} · (W_KQ)_{1:d,1:d} — one
// shared x-block, so the outputs' preconditioners differ only by scale.

export interface LsaReading {
  /** Effective preconditioner Γ_eff (d×d, row-major). */
  gammaEff: number[];
  etaEff: number;
  /** Share of the x-block's squared Frobenius norm on its best multiple of I: (tr X)²/(d‖X‖²). 1 = exactly c·I. */
  xBlockIdentityShare: number;
  /** ‖first d entries of W_KQ's label rows‖ / ‖W_KQ's x-block‖ (0 at the one-step-GD solution). */
  kqLastRowRatio: number;
  /** ‖first d entries of W_PV's output row‖ / |(W_PV)_{d+t,d+t}| (0 at the one-step-GD solution). */
  pvLastRowRatio: number;
  /** ‖W_KQ's last row's first d entries‖ and of W_PV's, unnormalized. */
  kqLastRowNorm: number;
  pvLastRowNorm: number;
}

/** The reading of output t (of k). */
export function readLsa(params: ArrayLike<number>, d: number, k = 1, t = 0): LsaReading {
  const D = d + k;
  const pvLast = D * D + (d + t) * D;
  const pvDD = params[pvLast + d + t];
  const gammaEff: number[] = [];
  let tr = 0;
  let fro2 = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      const x = params[i * D + j];
      gammaEff.push(pvDD * x);
      fro2 += x * x;
      if (i === j) tr += x;
    }
  let kqLast2 = 0;
  let pvLast2 = 0;
  for (let c = 0; c < d; c++) {
    for (let r = d; r < D; r++) kqLast2 += params[r * D + c] ** 2;
    pvLast2 += params[pvLast + c] ** 2;
  }
  return {
    gammaEff,
    etaEff: (pvDD * tr) / d,
    xBlockIdentityShare: fro2 > 0 ? (tr * tr) / d / fro2 : 0,
    kqLastRowRatio: Math.sqrt(kqLast2 / fro2),
    pvLastRowRatio: Math.sqrt(pvLast2) / Math.abs(pvDD),
    kqLastRowNorm: Math.sqrt(kqLast2),
    pvLastRowNorm: Math.sqrt(pvLast2),
  };
}
