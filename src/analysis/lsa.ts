// Reading a trained linear self-attention layer as an algorithm (DESIGN.md §3-4).
// W_PV·c, W_KQ/c give the same predictions, so only scale-invariant products
// are compared with theory: Γ_eff = (W_PV)_{D,D} · (W_KQ)_{1:d,1:d} and
// η_eff = (W_PV)_{D,D} · mean(diag of W_KQ's x-block).

export interface LsaReading {
  /** Effective preconditioner Γ_eff (d×d, row-major). */
  gammaEff: number[];
  etaEff: number;
  /** Share of the x-block's squared Frobenius norm on its best multiple of I: (tr X)²/(d‖X‖²). 1 = exactly c·I. */
  xBlockIdentityShare: number;
  /** ‖first d entries of W_KQ's last row‖ / ‖W_KQ's x-block‖ (0 at the one-step-GD solution). */
  kqLastRowRatio: number;
  /** ‖first d entries of W_PV's last row‖ / |(W_PV)_{D,D}| (0 at the one-step-GD solution). */
  pvLastRowRatio: number;
  /** ‖W_KQ's last row's first d entries‖ and of W_PV's, unnormalized. */
  kqLastRowNorm: number;
  pvLastRowNorm: number;
}

export function readLsa(params: ArrayLike<number>, d: number): LsaReading {
  const D = d + 1;
  const pvLast = D * D + (D - 1) * D;
  const pvDD = params[pvLast + d];
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
  for (let k = 0; k < d; k++) {
    kqLast2 += params[d * D + k] ** 2;
    pvLast2 += params[pvLast + k] ** 2;
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
