import type { CsrMatrix } from "../data/matrix.ts";
import { withIdentity, type FeatureNormalization } from "../features/with-identity.ts";
import { shuffle, type Rng } from "../util/rng.ts";
import {
  CFG_ADADELTA,
  CFG_EPS,
  CFG_ITEM_ALPHA,
  CFG_K,
  CFG_KOS_K,
  CFG_KOS_N,
  CFG_LOSS,
  CFG_LR,
  CFG_MAX_SAMPLED,
  CFG_NEGATIVES,
  CFG_N_ITEMS,
  CFG_RHO,
  CFG_SIZE,
  CFG_ITEM_IDENTITY_ONLY,
  CFG_USER_IDENTITY_ONLY,
  CFG_CACHE_EVERY,
  CFG_USER_ALPHA,
  kernelEpoch,
  LOSS_BPR,
  LOSS_LOGISTIC,
  LOSS_WARP,
  LOSS_WARP_KOS,
  LOSS_MSE,
  type KernelArrays,
} from "./hybrid-kernel.ts";
import { startWorkers, toShared } from "./hybrid-worker.ts";
import type { FitInput, ItemVectors, Recommender } from "./model.ts";

export type HybridLoss = "logistic" | "bpr" | "warp" | "warp-kos" | "mse";

export interface HybridParams {
  loss: HybridLoss;
  /** Embedding dimension. */
  components: number;
  learningRate: number;
  schedule: "adagrad" | "adadelta";
  /** Adadelta decay and epsilon. */
  rho: number;
  epsilon: number;
  /** L2 penalty on user / item feature embeddings, applied at every touch. */
  userAlpha: number;
  itemAlpha: number;
  /** WARP: negatives drawn per positive before giving up. */
  maxSampled: number;
  /** k-OS WARP: train the k-th best of n sampled positives. */
  kosK: number;
  kosN: number;
  epochs: number;
  /** 1 = deterministic single thread; more = Hogwild workers over shared memory. */
  threads: number;
  /** Use the item / user metadata features given to fit (identity features are always used). */
  useItemFeatures: boolean;
  useUserFeatures: boolean;
  normalization: FeatureNormalization;
  /** With normalization "split": total weight of a row's metadata features. */
  metadataWeight: number;
  /** Logistic on positive-only data: unobserved items drawn per positive as label 0. */
  negatives: number;
  /**
   * WARP/k-OS with metadata features: samples between refreshes of the item-representation
   * cache that scores sampled negatives (0 = exact, slow with many features per item).
   */
  cacheEvery: number;
}

export const HYBRID_DEFAULTS: HybridParams = {
  loss: "warp",
  components: 10,
  learningRate: 0.05,
  schedule: "adagrad",
  rho: 0.95,
  epsilon: 1e-6,
  userAlpha: 0,
  itemAlpha: 0,
  maxSampled: 10,
  kosK: 5,
  kosN: 10,
  epochs: 30,
  threads: 1,
  useItemFeatures: true,
  useUserFeatures: true,
  normalization: "split",
  metadataWeight: 1,
  negatives: 0,
  cacheEvery: 10000,
};

const LOSS_CODES: Record<HybridLoss, number> = {
  logistic: LOSS_LOGISTIC,
  bpr: LOSS_BPR,
  warp: LOSS_WARP,
  "warp-kos": LOSS_WARP_KOS,
  mse: LOSS_MSE,
};

/** Every loss HybridMF trains with. */
export const HYBRID_LOSSES = Object.keys(LOSS_CODES) as HybridLoss[];

/** Checks user-supplied parameters so a typo fails loudly with the allowed values. */
export function validateHybridParams(p: HybridParams): void {
  if (!(p.loss in LOSS_CODES)) throw new Error(`hybrid: unknown loss "${p.loss}"; use one of ${Object.keys(LOSS_CODES).join(", ")}`);
  if (p.schedule !== "adagrad" && p.schedule !== "adadelta") throw new Error(`hybrid: unknown schedule "${p.schedule}"; use adagrad or adadelta`);
  if (!Number.isInteger(p.components) || p.components < 1) throw new Error(`hybrid: components must be a positive integer, got ${p.components}`);
  if (!Number.isInteger(p.epochs) || p.epochs < 0) throw new Error(`hybrid: epochs must be a non-negative integer, got ${p.epochs}`);
  if (!Number.isInteger(p.threads) || p.threads < 1) throw new Error(`hybrid: threads must be a positive integer, got ${p.threads}`);
  if (!(p.learningRate > 0)) throw new Error(`hybrid: learningRate must be > 0, got ${p.learningRate}`);
  if (!(p.userAlpha >= 0 && p.itemAlpha >= 0)) throw new Error(`hybrid: userAlpha/itemAlpha must be >= 0`);
  if (!(p.maxSampled >= 1)) throw new Error(`hybrid: maxSampled must be >= 1, got ${p.maxSampled}`);
  if (!["none", "l1", "split"].includes(p.normalization)) throw new Error(`hybrid: normalization must be none, l1 or split, got "${p.normalization}"`);
}

/** A fitted HybridMF as plain data (see HybridMF.exportState). */
export interface HybridState {
  options: HybridParams;
  name: string;
  arrays: KernelArrays;
  nUsers: number;
  nItems: number;
  k: number;
  offset: number;
  history: EpochRecord[];
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  seconds: number;
}

/**
 * LightFM-style hybrid matrix factorisation: a user (item) is the sum of the embeddings
 * and biases of its features — its identity plus metadata (categories, brand, tokens…),
 * so users and items without interactions are still scored from their features.
 */
export class HybridMF implements Recommender {
  readonly name: string;
  readonly options: HybridParams;
  /** Mean training loss per epoch of the last fit. */
  history: EpochRecord[] = [];
  private a?: KernelArrays;
  private nUsers = 0;
  private nItems = 0;
  private k = 0;
  private version = 0;
  private cacheVersion = -1;
  private itemCache = new Float32Array(0);
  private itemBiasCache = new Float32Array(0);
  private userScratch = new Float32Array(0);
  /** Added to every score (the mean rating under mse loss). */
  private offset = 0;

  constructor(options: Partial<HybridParams> = {}, name = "hybrid") {
    for (const key of Object.keys(options)) {
      if (!(key in HYBRID_DEFAULTS)) throw new Error(`hybrid: unknown parameter "${key}"; known: ${Object.keys(HYBRID_DEFAULTS).join(", ")}`);
    }
    this.options = { ...HYBRID_DEFAULTS, ...options };
    validateHybridParams(this.options);
    this.name = name;
  }

  params(): Record<string, unknown> {
    return { ...this.options };
  }

  async fit(input: FitInput): Promise<void> {
    const o = this.options;
    const lossCode = LOSS_CODES[o.loss];
    // mse regresses ratings: the explicit ratings when given, else the interactions' values.
    const X = lossCode === LOSS_MSE && input.ratings ? input.ratings : input.interactions;
    const nUsers = X.nRows;
    const nItems = X.nCols;
    const k = o.components;
    this.nUsers = nUsers;
    this.nItems = nItems;
    this.k = k;
    this.history = [];

    // Samples: ranking losses learn from positive entries only; logistic (±1) and mse (ratings) from all.
    const pointwise = lossCode === LOSS_LOGISTIC || lossCode === LOSS_MSE;
    let nSamples = 0;
    let valueSum = 0;
    for (let p = 0; p < X.data.length; p++) {
      if (pointwise ? X.data[p] !== 0 : X.data[p] > 0) {
        nSamples++;
        valueSum += X.data[p];
      }
    }
    // mse learns centred ratings; the mean comes back as a constant in every score.
    this.offset = lossCode === LOSS_MSE && nSamples > 0 ? valueSum / nSamples : 0;
    const sUsers = new Int32Array(nSamples);
    const sItems = new Int32Array(nSamples);
    const sValues = new Float32Array(nSamples);
    const userSeen = new Uint8Array(nUsers);
    const itemSeen = new Uint8Array(nItems);
    const posCount = new Int32Array(nUsers + 1);
    let s = 0;
    for (let u = 0; u < nUsers; u++) {
      for (let p = X.indptr[u]; p < X.indptr[u + 1]; p++) {
        const v = X.data[p];
        if (pointwise ? v === 0 : !(v > 0)) continue;
        sUsers[s] = u;
        sItems[s] = X.indices[p];
        sValues[s++] = v - this.offset;
        userSeen[u] = 1;
        itemSeen[X.indices[p]] = 1;
        posCount[u + 1]++;
      }
    }
    // Positives used to reject sampled negatives: every observed item (sorted, CSR is sorted).
    const posIndptr = new Int32Array(nUsers + 1);
    for (let u = 0; u < nUsers; u++) posIndptr[u + 1] = posIndptr[u] + posCount[u + 1];
    const posIndices = new Int32Array(posIndptr[nUsers]);
    {
      let w = 0;
      for (let u = 0; u < nUsers; u++) {
        for (let p = X.indptr[u]; p < X.indptr[u + 1]; p++) {
          const v = X.data[p];
          if (pointwise ? v === 0 : !(v > 0)) continue;
          posIndices[w++] = X.indices[p];
        }
      }
    }

    const uf = withIdentity(nUsers, o.useUserFeatures ? input.userFeatures : undefined, userSeen, o.normalization, o.metadataWeight);
    const itf = withIdentity(nItems, o.useItemFeatures ? input.itemFeatures : undefined, itemSeen, o.normalization, o.metadataWeight);

    const rng = input.rng;
    const threads = o.threads;
    const share = threads > 1;
    const f32 = (n: number) => (share ? new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4)).subarray(0, n) : new Float32Array(n));
    const init = (n: number, scale: number) => {
      const arr = f32(n);
      for (let i = 0; i < n; i++) arr[i] = (rng.next() - 0.5) * scale;
      return arr;
    };
    const adadelta = o.schedule === "adadelta";
    const accum = (n: number) => {
      const arr = f32(n);
      if (!adadelta) arr.fill(1);
      return arr;
    };
    const cfg = new Float64Array(CFG_SIZE);
    cfg[CFG_LR] = o.learningRate;
    cfg[CFG_USER_ALPHA] = o.userAlpha;
    cfg[CFG_ITEM_ALPHA] = o.itemAlpha;
    cfg[CFG_MAX_SAMPLED] = o.maxSampled;
    cfg[CFG_LOSS] = lossCode;
    cfg[CFG_ADADELTA] = adadelta ? 1 : 0;
    cfg[CFG_RHO] = o.rho;
    cfg[CFG_EPS] = o.epsilon;
    cfg[CFG_KOS_K] = o.kosK;
    cfg[CFG_KOS_N] = o.kosN;
    cfg[CFG_NEGATIVES] = o.negatives;
    cfg[CFG_K] = k;
    cfg[CFG_N_ITEMS] = nItems;
    // Fast path for WARP's draws: every item row is empty or just its identity at weight 1
    // (identity embeddings of empty rows are zeroed below, so they score as "no features").
    let identityOnly = 1;
    for (let i = 0; identityOnly && i < nItems; i++) {
      const len = itf.indptr[i + 1] - itf.indptr[i];
      if (len > 1 || (len === 1 && (itf.indices[itf.indptr[i]] !== i || itf.data[itf.indptr[i]] !== 1))) identityOnly = 0;
    }
    cfg[CFG_ITEM_IDENTITY_ONLY] = identityOnly;
    // The same for users: with both, WARP under adagrad runs the fused identity kernel.
    let userIdentityOnly = 1;
    for (let u = 0; userIdentityOnly && u < nUsers; u++) {
      const len = uf.indptr[u + 1] - uf.indptr[u];
      if (len > 1 || (len === 1 && (uf.indices[uf.indptr[u]] !== u || uf.data[uf.indptr[u]] !== 1))) userIdentityOnly = 0;
    }
    cfg[CFG_USER_IDENTITY_ONLY] = userIdentityOnly;
    const useCache = !identityOnly && o.cacheEvery > 0 && (lossCode === LOSS_WARP || lossCode === LOSS_WARP_KOS);
    cfg[CFG_CACHE_EVERY] = useCache ? o.cacheEvery : 0;
    const cacheLength = useCache ? nItems * (k + 1) : 0;

    const nUF = uf.nCols;
    const nIF = itf.nCols;
    const orderLength = lossCode === LOSS_WARP_KOS ? nUsers : nSamples;
    const order = share ? toShared(new Int32Array(orderLength)) : new Int32Array(orderLength);
    for (let i = 0; i < orderLength; i++) order[i] = i;
    const sh = <T extends Float32Array | Int32Array | Float64Array>(x: T): T => (share ? toShared(x) : x);
    const a: KernelArrays = {
      cfg: sh(cfg),
      uIndptr: sh(uf.indptr),
      uIndices: sh(uf.indices),
      uData: sh(uf.data),
      iIndptr: sh(itf.indptr),
      iIndices: sh(itf.indices),
      iData: sh(itf.data),
      posIndptr: sh(posIndptr),
      posIndices: sh(posIndices),
      sUsers: sh(sUsers),
      sItems: sh(sItems),
      sValues: sh(sValues),
      order,
      uEmb: init(nUF * k, 1 / k),
      uBias: f32(nUF),
      iEmb: init(nIF * k, 1 / k),
      iBias: f32(nIF),
      uEmbG: accum(nUF * k),
      uBiasG: accum(nUF),
      iEmbG: accum(nIF * k),
      iBiasG: accum(nIF),
      uEmbM: f32(adadelta ? nUF * k : 0),
      uBiasM: f32(adadelta ? nUF : 0),
      iEmbM: f32(adadelta ? nIF * k : 0),
      iBiasM: f32(adadelta ? nIF : 0),
    };
    // Identity features of rows never seen in training stay exactly zero (never trained).
    for (let i = 0; i < nItems; i++) if (!itemSeen[i]) a.iEmb.fill(0, i * k, (i + 1) * k);
    for (let u = 0; u < nUsers; u++) if (!userSeen[u]) a.uEmb.fill(0, u * k, (u + 1) * k);
    this.a = a;
    this.version++;

    const scratchLength = 6 * (k + 1) + 2 * Math.max(1, o.kosN);
    const scratch = new Float64Array(scratchLength);
    const mainRng = rng.fork().state();
    const cache = new Float32Array(cacheLength);
    const pool = threads > 1
      ? await startWorkers(threads - 1, a, scratchLength, Array.from({ length: threads - 1 }, () => rng.fork().state()), cacheLength)
      : undefined;
    try {
      for (let epoch = 1; epoch <= o.epochs; epoch++) {
        const t0 = performance.now();
        shuffle(order, rng);
        let loss: number;
        if (pool) {
          const chunk = Math.ceil(orderLength / threads);
          const jobs: Promise<number>[] = [];
          for (let w = 0; w < pool.size; w++) {
            const start = Math.min(orderLength, (w + 1) * chunk);
            jobs.push(pool.run(w, start, Math.min(orderLength, start + chunk)));
          }
          loss = kernelEpoch(a, scratch, mainRng, 0, Math.min(orderLength, chunk), cache);
          for (const l of await Promise.all(jobs)) loss += l;
        } else {
          loss = kernelEpoch(a, scratch, mainRng, 0, orderLength, cache);
        }
        this.version++;
        const record = { epoch, loss: loss / Math.max(1, orderLength), seconds: (performance.now() - t0) / 1000 };
        this.history.push(record);
        if (!Number.isFinite(record.loss)) {
          throw new Error(`hybrid: training diverged at epoch ${epoch} (loss ${record.loss}); lower learningRate (now ${o.learningRate}) or raise userAlpha/itemAlpha`);
        }
        if ((await input.onEpoch?.(epoch, { loss: record.loss })) === true) break;
      }
    } finally {
      await pool?.close();
    }
  }

  /**
   * The model as of its last epoch, with its own copy of the learned parameters (the feature
   * matrices and samples, which training never changes, are shared): it scores exactly like a
   * fit stopped at this epoch with the same seed.
   */
  snapshot(): HybridMF {
    const a = this.arrays();
    const copy = new HybridMF({ ...this.options, epochs: this.history.length }, this.name);
    copy.a = { ...a, uEmb: a.uEmb.slice(), uBias: a.uBias.slice(), iEmb: a.iEmb.slice(), iBias: a.iBias.slice() };
    copy.nUsers = this.nUsers;
    copy.nItems = this.nItems;
    copy.k = this.k;
    copy.offset = this.offset;
    copy.history = this.history.slice();
    copy.version = 1;
    return copy;
  }

  /**
   * The fitted model as structured-cloneable data (its options and learned parameters), for
   * moving it between threads: HybridMF.fromState(state) scores exactly like this model.
   */
  exportState(): HybridState {
    const a = this.arrays();
    return { options: this.options, name: this.name, arrays: a, nUsers: this.nUsers, nItems: this.nItems, k: this.k, offset: this.offset, history: this.history };
  }

  /** The model exportState() described (its arrays adopted, not copied). */
  static fromState(state: HybridState): HybridMF {
    const model = new HybridMF(state.options, state.name);
    model.a = state.arrays;
    model.nUsers = state.nUsers;
    model.nItems = state.nItems;
    model.k = state.k;
    model.offset = state.offset;
    model.history = state.history;
    model.version = 1;
    return model;
  }

  private arrays(): KernelArrays {
    if (!this.a) throw new Error(`${this.name}: call fit() before scoring`);
    return this.a;
  }

  /** Recomputes the items' summed representations after parameters changed. */
  private refreshItems(): void {
    if (this.cacheVersion === this.version) return;
    const a = this.arrays();
    const k = this.k;
    const vec = new Float32Array(this.nItems * k);
    const bias = new Float32Array(this.nItems);
    for (let i = 0; i < this.nItems; i++) {
      for (let p = a.iIndptr[i]; p < a.iIndptr[i + 1]; p++) {
        const f = a.iIndices[p];
        const x = a.iData[p];
        for (let c = 0; c < k; c++) vec[i * k + c] += x * a.iEmb[f * k + c];
        bias[i] += x * a.iBias[f];
      }
    }
    this.itemCache = vec;
    this.itemBiasCache = bias;
    this.userScratch = new Float32Array(k + 1);
    this.cacheVersion = this.version;
  }

  /** The user's representation (k components, then bias) into `out`. */
  userRepresentation(user: number, out: Float32Array, history?: ArrayLike<number>): void {
    const a = this.arrays();
    const k = this.k;
    out.fill(0, 0, k + 1);
    if (user >= 0 && user < this.nUsers && a.uIndptr[user + 1] > a.uIndptr[user]) {
      for (let p = a.uIndptr[user]; p < a.uIndptr[user + 1]; p++) {
        const f = a.uIndices[p];
        const x = a.uData[p];
        for (let c = 0; c < k; c++) out[c] += x * a.uEmb[f * k + c];
        out[k] += x * a.uBias[f];
      }
      return;
    }
    // Unknown user: fold in as the mean of the history's item vectors (a cheap, stable proxy).
    this.refreshItems();
    if (!history || history.length === 0) return;
    let n = 0;
    for (let h = 0; h < history.length; h++) {
      const i = history[h];
      if (i < 0 || i >= this.nItems) continue;
      for (let c = 0; c < k; c++) out[c] += this.itemCache[i * k + c];
      n++;
    }
    if (n > 0) for (let c = 0; c < k; c++) out[c] /= n;
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    this.refreshItems();
    const k = this.k;
    const u = this.userScratch;
    this.userRepresentation(user, u, history);
    const vec = this.itemCache;
    const bias = this.itemBiasCache;
    const n = this.nItems;
    const uk = u[k];
    const offset = this.offset;
    // Four items at a time: four independent sums instead of one long chain of additions
    // (its latency bounds a single sum). Each item's sum adds the same terms in the same order,
    // so the scores are exactly those of one item at a time.
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const b0 = i * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = uk + bias[i] + offset;
      let s1 = uk + bias[i + 1] + offset;
      let s2 = uk + bias[i + 2] + offset;
      let s3 = uk + bias[i + 3] + offset;
      for (let c = 0; c < k; c++) {
        const uc = u[c];
        s0 += uc * vec[b0 + c];
        s1 += uc * vec[b1 + c];
        s2 += uc * vec[b2 + c];
        s3 += uc * vec[b3 + c];
      }
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
    for (; i < n; i++) {
      let s = uk + bias[i] + offset;
      const base = i * k;
      for (let c = 0; c < k; c++) s += u[c] * vec[base + c];
      out[i] = s;
    }
  }

  itemVectors(): ItemVectors {
    this.refreshItems();
    return { dim: this.k, vectors: this.itemCache.slice(), biases: this.itemBiasCache.slice() };
  }

  userVectors(): ItemVectors {
    const k = this.k;
    const vectors = new Float32Array(this.nUsers * k);
    const biases = new Float32Array(this.nUsers);
    const tmp = new Float32Array(k + 1);
    for (let u = 0; u < this.nUsers; u++) {
      this.userRepresentation(u, tmp);
      vectors.set(tmp.subarray(0, k), u * k);
      biases[u] = tmp[k];
    }
    return { dim: k, vectors, biases };
  }
}

/** Convenience for tests and benches: fit a fresh model in one call. */
export async function fitHybrid(interactions: CsrMatrix, rng: Rng, options: Partial<HybridParams> = {}, extra: Partial<FitInput> = {}): Promise<HybridMF> {
  const model = new HybridMF(options);
  await model.fit({ interactions, rng, ...extra });
  return model;
}
