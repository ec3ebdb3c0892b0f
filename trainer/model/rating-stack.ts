import { csrFromCoo, type CsrMatrix } from "../data/matrix.ts";
import { shuffle } from "../util/rng.ts";
import { fitLogistic } from "./logistic-stack.ts";
import type { FitInput, ItemVectors, Recommender } from "./model.ts";

/** One member of a rating stack and its own fit extras (e.g. the feature matrices it uses). */
export interface RatingStackMember {
  model: Recommender;
  extraFit?: Partial<FitInput>;
}

export interface RatingStackOptions {
  /** Rated pairs held out per user (seeded) to learn the stacking weights on... */
  validPerUser: number;
  /** ...but never more than this share of the user's rated pairs (users with few ratings keep most for the members). */
  validShare: number;
  /** A pair is a positive when its rating is >= this (with explicit ratings). */
  threshold: number;
  /** L2 penalty of the stacking logistic regression (on standardised member scores). */
  l2: number;
}

export const RATING_STACK_DEFAULTS: RatingStackOptions = { validPerUser: 10, validShare: 0.25, threshold: 4, l2: 1e-3 };

/**
 * Rating classification by stacking: P(rating >= threshold) = σ(b + Σ w_m · score_m) over
 * member models that learn from different views of the same ratings — a regression on the
 * 1–5 stars (mse), a logistic model on the ±1 labels, the user/item positive-rate logit.
 * Fit carves `validPerUser` rated pairs per user out of its own training data, fits the
 * members on the rest, learns w and b by logistic regression on the held-out pairs, then
 * refits every member on all the data. So the weights come from validation inside train,
 * and scores are calibrated probabilities comparable across users (global pair AUC).
 */
export class RatingStackModel implements Recommender {
  readonly name = "rating-stack";
  readonly options: RatingStackOptions;
  private weights: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private intercept = 0;
  private validLogLoss = Number.NaN;
  private validPairs = 0;
  private buf = new Float32Array(0);
  /** The member whose dot product is served for single pairs (a logistic one: calibrated logits). */
  private readonly servedMember?: Recommender;

  constructor(
    readonly members: RatingStackMember[],
    options: Partial<RatingStackOptions> = {},
  ) {
    if (members.length === 0) throw new Error("rating-stack: needs at least one member model");
    for (const key of Object.keys(options)) {
      if (!(key in RATING_STACK_DEFAULTS)) throw new Error(`rating-stack: unknown option "${key}"; known: ${Object.keys(RATING_STACK_DEFAULTS).join(", ")}`);
    }
    this.options = { ...RATING_STACK_DEFAULTS, ...options };
    if (!Number.isInteger(this.options.validPerUser) || this.options.validPerUser < 1) {
      throw new Error(`rating-stack: validPerUser must be a positive integer, got ${this.options.validPerUser}`);
    }
    if (!(this.options.validShare > 0 && this.options.validShare < 1)) throw new Error(`rating-stack: validShare must be in (0, 1), got ${this.options.validShare}`);
    this.servedMember = members.find((m) => m.model.params().loss === "logistic" && m.model.itemVectors && m.model.userVectors)?.model;
  }

  async fit(input: FitInput): Promise<void> {
    const { train, valid } = carveRatedPairs(input, this.options.validPerUser, input.rng, this.options.validShare);
    const liked = (v: number) => (input.ratings ? v >= this.options.threshold : v > 0);
    const labels = Float32Array.from(valid.values, (v) => (liked(v) ? 1 : 0));
    let positives = 0;
    for (const l of labels) positives += l;
    if (positives === 0 || positives === labels.length) {
      throw new Error(
        `rating-stack: the ${labels.length} held-out pairs are all ${positives ? "liked" : "not liked"}; ` +
          "it needs both kinds: give explicit ratings (FitInput.ratings) or ±1 labels, and users with several rated items",
      );
    }
    // Members fit without the caller's per-epoch hook: it would score this stack before it has weights.
    const { onEpoch: _hook, ...base } = input;
    void _hook;
    const columns: Float32Array[] = [];
    for (const m of this.members) {
      await m.model.fit({ ...base, ...train, ...m.extraFit, rng: input.rng.fork() });
      columns.push(this.memberScores(m.model, valid.users, valid.items, input.interactions.nCols));
    }
    const fit = fitLogistic(columns, labels, this.options.l2);
    this.weights = fit.weights;
    this.intercept = fit.intercept;
    this.validLogLoss = fit.logLoss;
    this.validPairs = labels.length;
    for (const m of this.members) await m.model.fit({ ...base, ...m.extraFit, rng: input.rng.fork() });
  }

  private memberScores(model: Recommender, users: Int32Array, items: Int32Array, nItems: number): Float32Array {
    const out = new Float32Array(users.length);
    const buf = new Float32Array(nItems);
    let current = -1;
    // Pairs are grouped by user (carved in user order): one scoreUser per user.
    for (let p = 0; p < users.length; p++) {
      if (users[p] !== current) {
        current = users[p];
        model.scoreUser(current, buf);
      }
      out[p] = buf[items[p]];
    }
    return out;
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    if (this.weights.length !== this.members.length) throw new Error("rating-stack: call fit() before scoring");
    const n = out.length;
    if (this.buf.length !== n) this.buf = new Float32Array(n);
    out.fill(this.intercept);
    this.members.forEach((m, j) => {
      const w = this.weights[j];
      m.model.scoreUser(user, this.buf, history);
      for (let i = 0; i < n; i++) out[i] += w * this.buf[i];
    });
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
  }

  /** The logistic member's vectors (its u·v + biases is a calibrated logit), for the artifact. */
  get itemVectors(): (() => ItemVectors) | undefined {
    const m = this.servedMember;
    return m ? () => m.itemVectors!() : undefined;
  }

  get userVectors(): (() => ItemVectors) | undefined {
    const m = this.servedMember;
    return m ? () => m.userVectors!() : undefined;
  }

  params(): Record<string, unknown> {
    return {
      ...this.options,
      // The artifact serves single pairs from the logistic member's vectors: its scores are probabilities.
      ...(this.servedMember ? { loss: "logistic", servedMember: this.servedMember.name } : {}),
      weights: Array.from(this.weights, (w) => +w.toPrecision(4)),
      intercept: +this.intercept.toPrecision(4),
      validPairs: this.validPairs,
      validLogLoss: +this.validLogLoss.toPrecision(4),
      members: this.members.map((m) => ({ model: m.model.name, params: m.model.params() })),
    };
  }
}

/**
 * Holds out up to `perUser` rated pairs of each user, at most `maxShare` of them (at least
 * one when the user has two or more; one always stays in train): the
 * training matrices without them, and the held-out pairs (grouped by user) with their
 * ratings, or with the interactions' values (±1 labels) when there are no ratings.
 */
export function carveRatedPairs(
  input: Pick<FitInput, "interactions" | "ratings">,
  perUser: number,
  rng: FitInput["rng"],
  maxShare = 1,
): { train: Pick<FitInput, "interactions" | "ratings">; valid: { users: Int32Array; items: Int32Array; values: Float32Array } } {
  const x = input.interactions;
  const r = input.ratings;
  if (r && (r.nRows !== x.nRows || r.nCols !== x.nCols)) {
    throw new Error(`rating-stack: ratings are ${r.nRows}×${r.nCols} but interactions ${x.nRows}×${x.nCols}; build both over the same users and items`);
  }
  const source = r ?? x;
  const held = new Uint8Array(source.indices.length);
  const vUsers: number[] = [];
  const vItems: number[] = [];
  const vValues: number[] = [];
  for (let u = 0; u < source.nRows; u++) {
    const start = source.indptr[u];
    const len = source.indptr[u + 1] - start;
    const take = Math.max(0, Math.min(perUser, len - 1, Math.max(1, Math.floor(len * maxShare))));
    if (take === 0) continue;
    const order = shuffle(Int32Array.from({ length: len }, (_, k) => start + k), rng).subarray(0, take).sort();
    for (const p of order) {
      held[p] = 1;
      vUsers.push(u);
      vItems.push(source.indices[p]);
      vValues.push(source.data[p]);
    }
  }
  const heldPairs = new Set<number>();
  for (let k = 0; k < vUsers.length; k++) heldPairs.add(vUsers[k] * source.nCols + vItems[k]);
  const without = (m: CsrMatrix): CsrMatrix => {
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let u = 0; u < m.nRows; u++) {
      for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) {
        if (heldPairs.has(u * m.nCols + m.indices[p])) continue;
        rows.push(u);
        cols.push(m.indices[p]);
        vals.push(m.data[p]);
      }
    }
    return csrFromCoo(m.nRows, m.nCols, Int32Array.from(rows), Int32Array.from(cols), Float32Array.from(vals));
  };
  return {
    train: { interactions: without(x), ...(r ? { ratings: without(r) } : {}) },
    valid: { users: Int32Array.from(vUsers), items: Int32Array.from(vItems), values: Float32Array.from(vValues) },
  };
}
