import { createRng } from "../util/rng.ts";
import { MemoScores } from "./memo-scores.ts";
import type { FitInput, ItemVectors, Recommender } from "./model.ts";
import { scoreMoments } from "./score-moments.ts";

export interface BlendMember {
  model: Recommender;
  weight: number;
}

/**
 * How member scores are put on one scale before weighting:
 * - "per-user": z-scores over the catalogue for each user (ranking: EASE and factor scores
 *   live on different scales, and only the order within a user matters);
 * - "none": raw scores (members that output comparable logits, for global pair AUC, where
 *   per-user standardisation would erase what separates users).
 */
export type BlendScaling = "per-user" | "none";

/**
 * A weighted sum of members' scores, scaled per `scaling`, so models on different scales
 * mix by weight alone. Strengths combine: EASE ranks the top well, factor models the whole list.
 */
export class BlendModel implements Recommender {
  readonly name: string;
  private buf = new Float32Array(0);

  constructor(
    readonly members: BlendMember[],
    name = "blend",
    readonly scaling: BlendScaling = "per-user",
  ) {
    if (members.length === 0) throw new Error("blend: needs at least one member model");
    for (const m of members) {
      if (!Number.isFinite(m.weight)) throw new Error(`blend: weight of ${m.model.name} must be a finite number, got ${m.weight}`);
    }
    this.name = name;
    const withVectors = members.find((m) => m.model.itemVectors);
    if (withVectors) this.itemVectors = () => withVectors.model.itemVectors!();
    const withSims = members.find((m) => m.model.itemSimilarities);
    if (withSims) this.itemSimilarities = (item, out) => withSims.model.itemSimilarities!(item, out);
  }

  /** Each member is fit from the same seeded stream, exactly as it is fit alone (and as `tune` scored it). */
  async fit(input: FitInput): Promise<void> {
    const start = input.rng.state();
    for (const m of this.members) await m.model.fit({ ...input, rng: createRng(start) });
  }

  /** Members already fitted elsewhere (e.g. during tuning): nothing to do but wrap them. */
  static ofFitted(members: BlendMember[], name = "blend", scaling: BlendScaling = "per-user"): BlendModel {
    return new BlendModel(members, name, scaling);
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    const n = out.length;
    if (this.buf.length !== n) this.buf = new Float32Array(n);
    out.fill(0);
    for (const m of this.members) {
      if (m.weight === 0) continue;
      // A remembered row (a blend search's member) is read in place, its moments computed once.
      const kept = history === undefined && m.model instanceof MemoScores ? m.model.rememberedRow(user, n) : undefined;
      let row: Float32Array = this.buf;
      if (kept) row = kept.row;
      else m.model.scoreUser(user, row, history);
      if (this.scaling === "none") {
        for (let i = 0; i < n; i++) out[i] += m.weight * row[i];
        continue;
      }
      const { mean, sd } = kept ?? scoreMoments(row);
      const w = m.weight / sd;
      for (let i = 0; i < n; i++) out[i] += w * (row[i] - mean);
    }
  }

  /** The first member's item vectors (the factor model), when a member has them. */
  itemVectors?: () => ItemVectors;
  /** The first member's item–item similarities (EASE, item-kNN), when a member has them. */
  itemSimilarities?: (item: number, out: Float32Array) => void;

  params(): Record<string, unknown> {
    return { scaling: this.scaling, members: this.members.map((m) => ({ model: m.model.name, weight: m.weight, params: m.model.params() })) };
  }
}
