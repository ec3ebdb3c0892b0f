/**
 * The SGD inner loop of the hybrid factorisation model (LightFM's algorithm).
 *
 * Every function here is self-contained (no imports, no closures over module state):
 * worker threads run the very same code, compiled from `Function.prototype.toString`
 * (see hybrid-worker.ts), so threads 1 and threads N execute identical arithmetic.
 * All state lives in typed arrays, possibly backed by SharedArrayBuffer (Hogwild).
 */

/** Loss codes stored in cfg[CFG_LOSS]. */
export const LOSS_LOGISTIC = 0;
export const LOSS_BPR = 1;
export const LOSS_WARP = 2;
export const LOSS_WARP_KOS = 3;
/** Squared error on explicit ratings (centred), for rating prediction / classification by score. */
export const LOSS_MSE = 4;

/** Layout of the Float64Array `cfg` every kernel call reads its settings from. */
export const CFG_LR = 0;
export const CFG_USER_ALPHA = 1;
export const CFG_ITEM_ALPHA = 2;
export const CFG_MAX_SAMPLED = 3;
export const CFG_LOSS = 4;
export const CFG_ADADELTA = 5;
export const CFG_RHO = 6;
export const CFG_EPS = 7;
export const CFG_KOS_K = 8;
export const CFG_KOS_N = 9;
export const CFG_NEGATIVES = 10;
export const CFG_K = 11;
export const CFG_N_ITEMS = 12;
/** 1 when every item row is just its identity with weight 1: WARP's draws then skip the CSR walk. */
export const CFG_ITEM_IDENTITY_ONLY = 13;
/**
 * WARP with metadata: refresh a per-thread cache of item representations every this many
 * samples and score sampled negatives from it (0 = off). Only the violation test reads the
 * cache; every gradient uses exact representations.
 */
export const CFG_CACHE_EVERY = 14;
/** 1 when every user row is just its identity with weight 1 (no user metadata). */
export const CFG_USER_IDENTITY_ONLY = 15;
export const CFG_SIZE = 16;

/** Everything one epoch touches; field order is fixed so V8 sees one shape. */
export interface KernelArrays {
  cfg: Float64Array;
  /** users × user features (identity included), row-normalised or not. */
  uIndptr: Int32Array;
  uIndices: Int32Array;
  uData: Float32Array;
  /** items × item features (identity included). */
  iIndptr: Int32Array;
  iIndices: Int32Array;
  iData: Float32Array;
  /** Each user's positive items, sorted: WARP rejects sampled negatives found here. */
  posIndptr: Int32Array;
  posIndices: Int32Array;
  /** Training samples (user, item, value); value is a weight, or ±1 for logistic. */
  sUsers: Int32Array;
  sItems: Int32Array;
  sValues: Float32Array;
  /** The epoch's visiting order: sample indexes, or user indexes for k-OS WARP. */
  order: Int32Array;
  uEmb: Float32Array;
  uBias: Float32Array;
  iEmb: Float32Array;
  iBias: Float32Array;
  /** Squared-gradient accumulators (adagrad, adadelta). */
  uEmbG: Float32Array;
  uBiasG: Float32Array;
  iEmbG: Float32Array;
  iBiasG: Float32Array;
  /** Adadelta's squared-update accumulators (length 0 under adagrad). */
  uEmbM: Float32Array;
  uBiasM: Float32Array;
  iEmbM: Float32Array;
  iBiasM: Float32Array;
}

/** xorshift128 on a 4-word state; uniform in [0, 1). Inlined by V8 into the loop. */
export function kernelRandom(s: Uint32Array): number {
  let t = s[3];
  const x = s[0];
  s[3] = s[2];
  s[2] = s[1];
  s[1] = x;
  t ^= t << 11;
  t ^= t >>> 8;
  s[0] = t ^ x ^ (x >>> 19);
  return s[0] / 4294967296;
}

/** Sums the feature embeddings (and biases, at index k) of one row into out[0..k]. */
export function kernelRepr(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
  emb: Float32Array,
  bias: Float32Array,
  row: number,
  k: number,
  out: Float64Array,
  off: number,
): void {
  for (let c = 0; c <= k; c++) out[off + c] = 0;
  const end = indptr[row + 1];
  for (let p = indptr[row]; p < end; p++) {
    const f = indices[p];
    const x = data[p];
    const base = f * k;
    for (let c = 0; c < k; c++) out[off + c] += x * emb[base + c];
    out[off + k] += x * bias[f];
  }
}

/** Binary search for `item` in the user's sorted positives. */
export function kernelInPositives(posIndptr: Int32Array, posIndices: Int32Array, user: number, item: number): boolean {
  let lo = posIndptr[user];
  let hi = posIndptr[user + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = posIndices[mid];
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * One gradient step on every feature of `row` for all `k` components of `w`:
 * w[f] -= rate * (grad * x + alpha * w[f]), grad read from g[gOff..gOff+k).
 * Adagrad keeps G (starts at 1); adadelta keeps G and M.
 */
export function kernelRowStep(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
  w: Float32Array,
  G: Float32Array,
  M: Float32Array,
  row: number,
  k: number,
  g: Float64Array,
  gOff: number,
  lr: number,
  alpha: number,
  adadelta: number,
  rho: number,
  eps: number,
): void {
  const end = indptr[row + 1];
  for (let p = indptr[row]; p < end; p++) {
    const x = data[p];
    const base = indices[p] * k;
    if (adadelta === 0) {
      for (let c = 0; c < k; c++) {
        const idx = base + c;
        const wv = w[idx];
        const gr = g[gOff + c] * x + alpha * wv;
        const acc = G[idx];
        w[idx] = wv - (lr / Math.sqrt(acc)) * gr;
        G[idx] = acc + gr * gr;
      }
    } else {
      for (let c = 0; c < k; c++) {
        const idx = base + c;
        const wv = w[idx];
        const gr = g[gOff + c] * x + alpha * wv;
        const gs = rho * G[idx] + (1 - rho) * gr * gr;
        G[idx] = gs;
        const update = (Math.sqrt(M[idx] + eps) / Math.sqrt(gs + eps)) * gr;
        M[idx] = rho * M[idx] + (1 - rho) * update * update;
        w[idx] = wv - update;
      }
    }
  }
}

/**
 * Pairwise update shared by BPR and WARP: raise the positive item, lower the negative.
 * `r` holds user repr at 0, positive at k+1, negative at 2(k+1); gradients go after them.
 */
export function kernelPairUpdate(a: KernelArrays, r: Float64Array, user: number, pos: number, neg: number, loss: number): void {
  const cfg = a.cfg;
  const k = cfg[11] | 0;
  const lr = cfg[0];
  const ua = cfg[1];
  const ia = cfg[2];
  const ad = cfg[5] | 0;
  const rho = cfg[6];
  const eps = cfg[7];
  const po = k + 1;
  const no = 2 * (k + 1);
  const gp = 3 * (k + 1);
  const gn = gp + k;
  const gu = gn + k;
  for (let c = 0; c < k; c++) {
    const uc = r[c];
    r[gp + c] = -loss * uc;
    r[gn + c] = loss * uc;
    r[gu + c] = loss * (r[no + c] - r[po + c]);
  }
  r[gu + k] = -loss;
  r[gu + k + 1] = loss;
  kernelRowStep(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iEmbG, a.iEmbM, pos, k, r, gp, lr, ia, ad, rho, eps);
  kernelRowStep(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iEmbG, a.iEmbM, neg, k, r, gn, lr, ia, ad, rho, eps);
  kernelRowStep(a.uIndptr, a.uIndices, a.uData, a.uEmb, a.uEmbG, a.uEmbM, user, k, r, gu, lr, ua, ad, rho, eps);
  kernelRowStep(a.iIndptr, a.iIndices, a.iData, a.iBias, a.iBiasG, a.iBiasM, pos, 1, r, gu + k, lr, ia, ad, rho, eps);
  kernelRowStep(a.iIndptr, a.iIndices, a.iData, a.iBias, a.iBiasG, a.iBiasM, neg, 1, r, gu + k + 1, lr, ia, ad, rho, eps);
}

/** Pointwise logistic update; `loss` = prediction − label. */
export function kernelPointUpdate(a: KernelArrays, r: Float64Array, user: number, item: number, loss: number): void {
  const cfg = a.cfg;
  const k = cfg[11] | 0;
  const lr = cfg[0];
  const ua = cfg[1];
  const ia = cfg[2];
  const ad = cfg[5] | 0;
  const rho = cfg[6];
  const eps = cfg[7];
  const po = k + 1;
  const gi = 3 * (k + 1);
  const gu = gi + k;
  for (let c = 0; c < k; c++) {
    r[gi + c] = loss * r[c];
    r[gu + c] = loss * r[po + c];
  }
  r[gu + k] = loss;
  kernelRowStep(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iEmbG, a.iEmbM, item, k, r, gi, lr, ia, ad, rho, eps);
  kernelRowStep(a.uIndptr, a.uIndices, a.uData, a.uEmb, a.uEmbG, a.uEmbM, user, k, r, gu, lr, ua, ad, rho, eps);
  kernelRowStep(a.iIndptr, a.iIndices, a.iData, a.iBias, a.iBiasG, a.iBiasM, item, 1, r, gu + k, lr, ia, ad, rho, eps);
  kernelRowStep(a.uIndptr, a.uIndices, a.uData, a.uBias, a.uBiasG, a.uBiasM, user, 1, r, gu + k, lr, ua, ad, rho, eps);
}

/** Score of the user repr (at r[0..k]) against one item row, without materialising the item. */
export function kernelRowScore(indptr: Int32Array, indices: Int32Array, data: Float32Array, emb: Float32Array, bias: Float32Array, row: number, k: number, r: Float64Array): number {
  let s = r[k];
  const end = indptr[row + 1];
  for (let p = indptr[row]; p < end; p++) {
    const f = indices[p];
    const base = f * k;
    let d = bias[f];
    for (let c = 0; c < k; c++) d += r[c] * emb[base + c];
    s += data[p] * d;
  }
  return s;
}

/** Dot product of two reprs in r (offsets oa, ob) plus both biases. */
export function kernelScore(r: Float64Array, oa: number, ob: number, k: number): number {
  let s = r[oa + k] + r[ob + k];
  for (let c = 0; c < k; c++) s += r[oa + c] * r[ob + c];
  return s;
}

/**
 * WARP's search for a violating negative once the positive's score is known:
 * sample until one scores within the margin, then step with a rank-estimate weight.
 * Returns the loss applied (0 when none was found within maxSampled draws).
 */
export function kernelWarpSearch(a: KernelArrays, r: Float64Array, rng: Uint32Array, user: number, pos: number, posScore: number, weight: number, cache: Float32Array): number {
  const cfg = a.cfg;
  const k = cfg[11] | 0;
  const nItems = cfg[12] | 0;
  const maxSampled = cfg[3] | 0;
  const identityOnly = cfg[13] === 1;
  const cached = cache.length > 0;
  const k1 = k + 1;
  const indptr = a.iIndptr;
  const indices = a.iIndices;
  const data = a.iData;
  const emb = a.iEmb;
  const bias = a.iBias;
  const margin = posScore - 1;
  // The generator's state in locals for the draw loop (same xorshift128 as kernelRandom).
  let s0 = rng[0];
  let s1 = rng[1];
  let s2 = rng[2];
  let s3 = rng[3];
  let sampled = 0;
  let loss = 0;
  while (sampled < maxSampled) {
    sampled++;
    let t = s3;
    const x = s0;
    s3 = s2;
    s2 = s1;
    s1 = x;
    t ^= t << 11;
    t ^= t >>> 8;
    s0 = (t ^ x ^ (x >>> 19)) >>> 0;
    const neg = Math.floor((s0 / 4294967296) * nItems);
    // The negative's score, summed straight from its features (no repr written).
    // Two accumulators halve the dependency chain of each dot product.
    let negScore = r[k];
    if (cached) {
      const base = neg * k1;
      let d0 = cache[base + k];
      let d1 = 0;
      let c = 0;
      for (; c + 1 < k; c += 2) {
        d0 += r[c] * cache[base + c];
        d1 += r[c + 1] * cache[base + c + 1];
      }
      if (c < k) d0 += r[c] * cache[base + c];
      negScore += d0 + d1;
    } else if (identityOnly) {
      const base = neg * k;
      let d0 = bias[neg];
      let d1 = 0;
      let c = 0;
      for (; c + 1 < k; c += 2) {
        d0 += r[c] * emb[base + c];
        d1 += r[c + 1] * emb[base + c + 1];
      }
      if (c < k) d0 += r[c] * emb[base + c];
      negScore += d0 + d1;
    } else {
      const end = indptr[neg + 1];
      for (let p = indptr[neg]; p < end; p++) {
        const f = indices[p];
        const base = f * k;
        let d0 = bias[f];
        let d1 = 0;
        let c = 0;
        for (; c + 1 < k; c += 2) {
          d0 += r[c] * emb[base + c];
          d1 += r[c + 1] * emb[base + c + 1];
        }
        if (c < k) d0 += r[c] * emb[base + c];
        negScore += data[p] * (d0 + d1);
      }
    }
    if (negScore > margin) {
      if (kernelInPositives(a.posIndptr, a.posIndices, user, neg)) continue;
      kernelRepr(indptr, indices, data, emb, bias, neg, k, r, 2 * (k + 1));
      loss = weight * Math.log(Math.max(1, Math.floor((nItems - 1) / sampled)));
      if (loss > 10) loss = 10; // LightFM's clip, for stability
      kernelPairUpdate(a, r, user, pos, neg, loss);
      break;
    }
  }
  rng[0] = s0;
  rng[1] = s1;
  rng[2] = s2;
  rng[3] = s3;
  return loss;
}

/**
 * WARP under adagrad when users and items are identities only (pure collaborative
 * filtering, the common case): the same arithmetic as kernelEpoch → kernelWarpSearch →
 * kernelPairUpdate, in the same order and on the same random stream, fused into one loop
 * so no representation is summed through the CSR walk, no gradient is staged through
 * scratch and the generator state stays in locals for the whole range.
 * test/trainer/model/hybrid-kernel.test.ts checks the factors bit for bit against the general path.
 * `r` needs 3(k + 1) slots (user, positive and negative reprs).
 */
export function kernelWarpIdentityEpoch(a: KernelArrays, r: Float64Array, rng: Uint32Array, start: number, end: number): number {
  const cfg = a.cfg;
  const k = cfg[11] | 0;
  const nItems = cfg[12] | 0;
  const maxSampled = cfg[3] | 0;
  const lr = cfg[0];
  const ua = cfg[1];
  const ia = cfg[2];
  const order = a.order;
  const sUsers = a.sUsers;
  const sItems = a.sItems;
  const sValues = a.sValues;
  const posIndptr = a.posIndptr;
  const posIndices = a.posIndices;
  const uEmb = a.uEmb;
  const uEmbG = a.uEmbG;
  const uBias = a.uBias;
  const iEmb = a.iEmb;
  const iEmbG = a.iEmbG;
  const iBias = a.iBias;
  const iBiasG = a.iBiasG;
  const iIndptr = a.iIndptr;
  // log(max(1, floor((n - 1) / sampled))) for every draw count: the rank-estimate weights.
  const logRank = new Float64Array(maxSampled + 1);
  for (let t = 1; t <= maxSampled; t++) logRank[t] = Math.log(Math.max(1, Math.floor((nItems - 1) / t)));
  const po = k + 1;
  const no = 2 * (k + 1);
  let s0 = rng[0];
  let s1 = rng[1];
  let s2 = rng[2];
  let s3 = rng[3];
  let total = 0;
  for (let o = start; o < end; o++) {
    const idx = order[o];
    const user = sUsers[idx];
    const pos = sItems[idx];
    const weight = sValues[idx];
    const ub = user * k;
    const pb = pos * k;
    // r[0..k) user, r[k] user bias, r[po..po+k) positive: exactly what kernelRepr writes.
    for (let c = 0; c < k; c++) {
      r[c] = uEmb[ub + c];
      r[po + c] = iEmb[pb + c];
    }
    r[k] = uBias[user];
    const posBias = iBias[pos];
    let posScore = r[k] + posBias;
    for (let c = 0; c < k; c++) posScore += r[c] * r[po + c];
    const margin = posScore - 1;
    const pLo = posIndptr[user];
    const pHi = posIndptr[user + 1] - 1;
    let sampled = 0;
    while (sampled < maxSampled) {
      sampled++;
      let t = s3;
      const x = s0;
      s3 = s2;
      s2 = s1;
      s1 = x;
      t ^= t << 11;
      t ^= t >>> 8;
      s0 = (t ^ x ^ (x >>> 19)) >>> 0;
      const neg = Math.floor(s0 * 2.3283064365386963e-10 * nItems); // s0 / 2^32, exact
      const nb = neg * k;
      let d0 = iBias[neg];
      let d1 = 0;
      let c = 0;
      for (; c + 1 < k; c += 2) {
        d0 += r[c] * iEmb[nb + c];
        d1 += r[c + 1] * iEmb[nb + c + 1];
      }
      if (c < k) d0 += r[c] * iEmb[nb + c];
      if (!(r[k] + (d0 + d1) > margin)) continue;
      // A positive of this user is no negative: binary search in the sorted positives.
      let lo = pLo;
      let hi = pHi;
      let found = false;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = posIndices[mid];
        if (v === neg) {
          found = true;
          break;
        }
        if (v < neg) lo = mid + 1;
        else hi = mid - 1;
      }
      if (found) continue;
      let loss = weight * logRank[sampled];
      if (loss > 10) loss = 10; // LightFM's clip, for stability
      total += loss;
      // The user's gradient needs the negative's embedding from before its own step. An item
      // unseen in training has an empty feature row: it scores and steps as all zeros.
      const negLive = iIndptr[neg + 1] > iIndptr[neg];
      for (let c = 0; c < k; c++) r[no + c] = negLive ? iEmb[nb + c] : 0;
      // Adagrad steps in kernelPairUpdate's order: positive, negative, user, then item biases.
      for (let c = 0; c < k; c++) {
        const i = pb + c;
        const wv = iEmb[i];
        const gr = -loss * r[c] + ia * wv;
        const acc = iEmbG[i];
        iEmb[i] = wv - (lr / Math.sqrt(acc)) * gr;
        iEmbG[i] = acc + gr * gr;
      }
      if (negLive) {
        for (let c = 0; c < k; c++) {
          const i = nb + c;
          const wv = iEmb[i];
          const gr = loss * r[c] + ia * wv;
          const acc = iEmbG[i];
          iEmb[i] = wv - (lr / Math.sqrt(acc)) * gr;
          iEmbG[i] = acc + gr * gr;
        }
      }
      for (let c = 0; c < k; c++) {
        const i = ub + c;
        const wv = uEmb[i];
        const gr = loss * (r[no + c] - r[po + c]) + ua * wv;
        const acc = uEmbG[i];
        uEmb[i] = wv - (lr / Math.sqrt(acc)) * gr;
        uEmbG[i] = acc + gr * gr;
      }
      {
        const wv = iBias[pos];
        const gr = -loss + ia * wv;
        const acc = iBiasG[pos];
        iBias[pos] = wv - (lr / Math.sqrt(acc)) * gr;
        iBiasG[pos] = acc + gr * gr;
      }
      if (negLive) {
        const wv = iBias[neg];
        const gr = loss + ia * wv;
        const acc = iBiasG[neg];
        iBias[neg] = wv - (lr / Math.sqrt(acc)) * gr;
        iBiasG[neg] = acc + gr * gr;
      }
      break;
    }
    // Saved after every sample, not once at the end: V8 compiles this loop mid-run (OSR),
    // and stores it has never seen execute would deoptimise it at the end of every epoch.
    rng[0] = s0;
    rng[1] = s1;
    rng[2] = s2;
    rng[3] = s3;
  }
  return total;
}

/** Recomputes every item's representation (k components, then bias) into `cache`. */
export function kernelRefreshCache(a: KernelArrays, cache: Float32Array): void {
  const k = a.cfg[11] | 0;
  const nItems = a.cfg[12] | 0;
  const indptr = a.iIndptr;
  const indices = a.iIndices;
  const data = a.iData;
  const emb = a.iEmb;
  const bias = a.iBias;
  for (let i = 0; i < nItems; i++) {
    const base = i * (k + 1);
    for (let c = 0; c <= k; c++) cache[base + c] = 0;
    const end = indptr[i + 1];
    for (let p = indptr[i]; p < end; p++) {
      const f = indices[p];
      const x = data[p];
      const fb = f * k;
      for (let c = 0; c < k; c++) cache[base + c] += x * emb[fb + c];
      cache[base + k] += x * bias[f];
    }
  }
}

/**
 * Runs order[start..end) through one epoch of SGD. `r` is scratch of length 3(k+1)
 * (plus gradients and the k-OS sample buffer), `rng` this thread's 4-word generator state.
 * Returns the summed training loss, for progress and reports.
 */
export function kernelEpoch(a: KernelArrays, r: Float64Array, rng: Uint32Array, start: number, end: number, cache: Float32Array): number {
  const cfg = a.cfg;
  const k = cfg[11] | 0;
  const lossType = cfg[4] | 0;
  const nItems = cfg[12] | 0;
  const negatives = cfg[10] | 0;
  const po = k + 1;
  const no = 2 * (k + 1);
  const order = a.order;
  const cacheEvery = cache.length > 0 ? cfg[14] | 0 : 0;
  if (lossType === 2 && cfg[13] === 1 && cfg[15] === 1 && (cfg[5] | 0) === 0) return kernelWarpIdentityEpoch(a, r, rng, start, end);
  let total = 0;
  if (lossType === 3) {
    const kosK = cfg[8] | 0;
    const kosN = cfg[9] | 0;
    const scoresOff = 3 * (k + 1) + 3 * k + 2;
    for (let o = start; o < end; o++) {
      if (cacheEvery > 0 && (o - start) % cacheEvery === 0) kernelRefreshCache(a, cache);
      const user = order[o];
      const ps = a.posIndptr[user];
      const pn = a.posIndptr[user + 1] - ps;
      if (pn === 0) continue;
      kernelRepr(a.uIndptr, a.uIndices, a.uData, a.uEmb, a.uBias, user, k, r, 0);
      // Sample kosN positives, keep them sorted by score (descending): the k-th is trained.
      let filled = 0;
      for (let t = 0; t < kosN; t++) {
        const item = a.posIndices[ps + Math.floor(kernelRandom(rng) * pn)];
        kernelRepr(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iBias, item, k, r, po);
        const s = kernelScore(r, 0, po, k);
        let q = filled++;
        while (q > 0 && r[scoresOff + 2 * (q - 1)] < s) {
          r[scoresOff + 2 * q] = r[scoresOff + 2 * (q - 1)];
          r[scoresOff + 2 * q + 1] = r[scoresOff + 2 * (q - 1) + 1];
          q--;
        }
        r[scoresOff + 2 * q] = s;
        r[scoresOff + 2 * q + 1] = item;
      }
      const pick = Math.min(kosK, filled) - 1;
      const pos = r[scoresOff + 2 * pick + 1] | 0;
      kernelRepr(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iBias, pos, k, r, po);
      total += kernelWarpSearch(a, r, rng, user, pos, kernelScore(r, 0, po, k), 1, cache);
    }
    return total;
  }
  for (let o = start; o < end; o++) {
    if (cacheEvery > 0 && (o - start) % cacheEvery === 0) kernelRefreshCache(a, cache);
    const idx = order[o];
    const user = a.sUsers[idx];
    const item = a.sItems[idx];
    const value = a.sValues[idx];
    kernelRepr(a.uIndptr, a.uIndices, a.uData, a.uEmb, a.uBias, user, k, r, 0);
    kernelRepr(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iBias, item, k, r, po);
    const posScore = kernelScore(r, 0, po, k);
    if (lossType === 2) {
      total += kernelWarpSearch(a, r, rng, user, item, posScore, value, cache);
    } else if (lossType === 1) {
      let neg = -1;
      for (let tries = 0; tries < 10; tries++) {
        const cand = Math.floor(kernelRandom(rng) * nItems);
        if (!kernelInPositives(a.posIndptr, a.posIndices, user, cand)) {
          neg = cand;
          break;
        }
      }
      if (neg < 0) continue;
      kernelRepr(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iBias, neg, k, r, no);
      const diff = posScore - kernelScore(r, 0, no, k);
      const sig = 1 / (1 + Math.exp(-diff));
      total += -Math.log(sig + 1e-12) * value;
      kernelPairUpdate(a, r, user, item, neg, value * (1 - sig));
    } else if (lossType === 4) {
      const err = posScore - value;
      total += err * err;
      kernelPointUpdate(a, r, user, item, err);
    } else {
      const label = value > 0 ? 1 : 0;
      const weight = value > 0 ? value : -value;
      const p = 1 / (1 + Math.exp(-posScore));
      total += -weight * Math.log((label === 1 ? p : 1 - p) + 1e-12);
      kernelPointUpdate(a, r, user, item, weight * (p - label));
      // Implicit data has no negatives: optionally draw unobserved items as label 0.
      for (let t = 0; t < negatives; t++) {
        const neg = Math.floor(kernelRandom(rng) * nItems);
        if (kernelInPositives(a.posIndptr, a.posIndices, user, neg)) continue;
        kernelRepr(a.uIndptr, a.uIndices, a.uData, a.uEmb, a.uBias, user, k, r, 0);
        kernelRepr(a.iIndptr, a.iIndices, a.iData, a.iEmb, a.iBias, neg, k, r, po);
        const pn = 1 / (1 + Math.exp(-kernelScore(r, 0, po, k)));
        total += -Math.log(1 - pn + 1e-12);
        kernelPointUpdate(a, r, user, neg, pn);
      }
    }
  }
  return total;
}

/** The kernel's functions in dependency order, for building the worker's source. */
export const KERNEL_FUNCTIONS = [
  kernelRandom,
  kernelRepr,
  kernelInPositives,
  kernelRowStep,
  kernelPairUpdate,
  kernelPointUpdate,
  kernelRowScore,
  kernelScore,
  kernelWarpSearch,
  kernelRefreshCache,
  kernelEpoch,
  kernelWarpIdentityEpoch,
];
