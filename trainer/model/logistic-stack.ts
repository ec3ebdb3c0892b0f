/**
 * Logistic regression over a few dense columns (members' scores for labelled pairs), fit by
 * Newton's method with a small L2 penalty: the stacker that turns member scores into
 * P(label = 1). Columns are standardised inside, so the penalty treats them alike and the
 * returned weights apply to the raw columns.
 */
export interface LogisticFit {
  /** One weight per column, for the raw (unstandardised) column values. */
  weights: Float64Array;
  intercept: number;
  /** Mean log-loss on the data it was fit on. */
  logLoss: number;
}

export function fitLogistic(columns: ArrayLike<number>[], labels: ArrayLike<number>, l2 = 1e-3, iterations = 50): LogisticFit {
  const d = columns.length;
  const n = labels.length;
  if (d === 0) throw new Error("fitLogistic: needs at least one column");
  if (n === 0) throw new Error("fitLogistic: needs at least one labelled row");
  columns.forEach((c, j) => {
    if (c.length !== n) throw new Error(`fitLogistic: column ${j} has ${c.length} values but there are ${n} labels`);
  });
  let pos = 0;
  for (let r = 0; r < n; r++) pos += labels[r] > 0 ? 1 : 0;
  if (pos === 0 || pos === n) throw new Error(`fitLogistic: labels must contain both classes (${pos} positives of ${n})`);

  // Standardised design with a leading intercept column.
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    let q = 0;
    for (let r = 0; r < n; r++) {
      const v = columns[j][r];
      if (!Number.isFinite(v)) throw new Error(`fitLogistic: column ${j} row ${r} is not a finite number (${v})`);
      s += v;
      q += v * v;
    }
    mean[j] = s / n;
    sd[j] = Math.sqrt(Math.max(q / n - mean[j] * mean[j], 0)) || 1;
  }
  const p = d + 1;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    x[r * p] = 1;
    for (let j = 0; j < d; j++) x[r * p + 1 + j] = (columns[j][r] - mean[j]) / sd[j];
    y[r] = labels[r] > 0 ? 1 : 0;
  }
  const beta = new Float64Array(p);
  beta[0] = Math.log(pos / (n - pos));
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  let logLoss = Infinity;
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    hess.fill(0);
    let ll = 0;
    for (let r = 0; r < n; r++) {
      let z = 0;
      for (let a = 0; a < p; a++) z += beta[a] * x[r * p + a];
      const mu = 1 / (1 + Math.exp(-z));
      ll -= y[r] ? Math.log(mu + 1e-15) : Math.log(1 - mu + 1e-15);
      const w = mu * (1 - mu);
      const e = mu - y[r];
      for (let a = 0; a < p; a++) {
        const xa = x[r * p + a];
        grad[a] += e * xa;
        for (let b = 0; b <= a; b++) hess[a * p + b] += w * xa * x[r * p + b];
      }
    }
    // Penalise the slopes only (not the intercept), scaled per row like the loss.
    for (let a = 1; a < p; a++) {
      grad[a] += l2 * n * beta[a];
      hess[a * p + a] += l2 * n;
    }
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) hess[a * p + b] = hess[b * p + a];
    const step = solveSymmetric(hess, grad, p);
    let change = 0;
    for (let a = 0; a < p; a++) {
      beta[a] -= step[a];
      change = Math.max(change, Math.abs(step[a]));
    }
    logLoss = ll / n;
    if (change < 1e-9) break;
  }
  const weights = new Float64Array(d);
  let intercept = beta[0];
  for (let j = 0; j < d; j++) {
    weights[j] = beta[1 + j] / sd[j];
    intercept -= weights[j] * mean[j];
  }
  return { weights, intercept, logLoss };
}

/** Solves H s = g for a small symmetric positive-definite H (Cholesky), H row-major p×p. */
function solveSymmetric(h: Float64Array, g: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = h[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * p + j] = s / l[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = g[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * z[k];
    z[i] = s / l[i * p + i];
  }
  const out = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * out[k];
    out[i] = s / l[i * p + i];
  }
  return out;
}
