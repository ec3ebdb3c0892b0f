import { describe, expect, it } from "vitest";
import { csrFromCoo, type CsrMatrix } from "../../../trainer/data/matrix.ts";
import { topK, type FitInput, type Recommender } from "../../../trainer/model/model.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/**
 * The behaviour every recommender must show. test/trainer/model/conformance.test.ts runs it for
 * every `Recommender` implementation and every hybrid loss; a check a model does not run is
 * listed in its `skip` with the reason, so nothing is left out silently.
 */
export type ConformanceCheck = "finite" | "deterministic" | "excludes" | "learns" | "history" | "similarities";

export interface ConformanceOptions {
  /** Personalised models must learn the planted groups; popularity only the popularity order. */
  personalised?: boolean;
  /** Extra fit input for models that want it (e.g. item features). */
  extraFit?: (data: PlantedData) => Partial<FitInput>;
  /**
   * Rating classifiers (they learn liked vs not liked from rated pairs, not which unseen items a
   * user picks): instead of the top-N checks, held-out in-group pairs must score above the
   * user's out-of-group items. `extraFit` gives them ratings (in-group high, noise low).
   */
  ratingClassifier?: boolean;
  /** Checks this model does not run, each with the reason. */
  skip?: Partial<Record<ConformanceCheck, string>>;
}

export interface PlantedData {
  nUsers: number;
  nItems: number;
  groups: number;
  itemsPerGroup: number;
  /** Group of each user / item (item group = floor(item / itemsPerGroup)); the last item is never touched. */
  userGroup: Int32Array;
  itemGroup: Int32Array;
  train: CsrMatrix;
  /** Two held-out in-group items per user. */
  test: CsrMatrix;
  /** A user (the last) with no interactions at all. */
  emptyUser: number;
  /** An item (the last) nobody interacted with. */
  emptyItem: number;
}

/**
 * Users in group g like group g's items: each user has 8 in-group items in train, 2 more
 * held out, and one random out-of-group item as noise. Within a group, lower-numbered items
 * are more popular. The last user and the last item have no interactions.
 */
export function plantedData(seed = 7): PlantedData {
  const rng = createRng(seed);
  const groups = 4;
  const itemsPerGroup = 25;
  const usersPerGroup = 30;
  const nItems = groups * itemsPerGroup + 1;
  const nUsers = groups * usersPerGroup + 1;
  const userGroup = new Int32Array(nUsers).fill(-1);
  const itemGroup = new Int32Array(nItems).fill(-1);
  for (let i = 0; i < nItems - 1; i++) itemGroup[i] = Math.floor(i / itemsPerGroup);
  const trainU: number[] = [];
  const trainI: number[] = [];
  const testU: number[] = [];
  const testI: number[] = [];
  for (let u = 0; u < nUsers - 1; u++) {
    const g = Math.floor(u / usersPerGroup);
    userGroup[u] = g;
    const chosen = new Set<number>();
    while (chosen.size < 10) {
      // Skewed towards low offsets: popularity differs inside a group.
      const offset = Math.floor(itemsPerGroup * rng.next() * rng.next() * 1.999) % itemsPerGroup;
      chosen.add(g * itemsPerGroup + offset);
    }
    const list = [...chosen];
    list.forEach((i, k) => {
      if (k < 8) {
        trainU.push(u);
        trainI.push(i);
      } else {
        testU.push(u);
        testI.push(i);
      }
    });
    let noise = rng.int(nItems - 1);
    while (itemGroup[noise] === g) noise = rng.int(nItems - 1);
    trainU.push(u);
    trainI.push(noise);
  }
  return {
    nUsers,
    nItems,
    groups,
    itemsPerGroup,
    userGroup,
    itemGroup,
    train: csrFromCoo(nUsers, nItems, trainU, trainI, undefined, "max"),
    test: csrFromCoo(nUsers, nItems, testU, testI, undefined, "max"),
    emptyUser: nUsers - 1,
    emptyItem: nItems - 1,
  };
}

/**
 * Stars for the planted data, as a rating site would have them: every train pair rated (in-group
 * items 4–5, the out-of-group noise item 1–2) plus four more out-of-group items each user rated 1–2.
 */
export function plantedRatings(data: PlantedData): CsrMatrix {
  const rng = createRng(3);
  const m = data.train;
  const rows: number[] = [];
  const cols: number[] = [];
  const stars: number[] = [];
  for (let u = 0; u < m.nRows; u++) {
    for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) {
      rows.push(u);
      cols.push(m.indices[p]);
      stars.push(data.itemGroup[m.indices[p]] === data.userGroup[u] ? 4 + rng.int(2) : 1 + rng.int(2));
    }
    if (data.userGroup[u] < 0) continue;
    for (let t = 0; t < 4; t++) {
      const i = rng.int(data.nItems - 1);
      if (data.itemGroup[i] === data.userGroup[u]) continue;
      rows.push(u);
      cols.push(i);
      stars.push(1 + rng.int(2));
    }
  }
  return csrFromCoo(m.nRows, m.nCols, rows, cols, stars, "last");
}

/** Fit input for rating classifiers: the stars, and ±1 labels (liked = 4 or 5 stars) as interactions. */
export function plantedRatingInput(data: PlantedData): Partial<FitInput> {
  const ratings = plantedRatings(data);
  return { ratings, interactions: { ...ratings, data: Float32Array.from(ratings.data, (r) => (r >= 4 ? 1 : -1)) } };
}

async function fitted(factory: () => Recommender, data: PlantedData, seed: number, opts: ConformanceOptions): Promise<Recommender> {
  const model = factory();
  await model.fit({ interactions: data.train, rng: createRng(seed), ...(opts.extraFit?.(data) ?? {}) });
  return model;
}

function trainRow(m: CsrMatrix, u: number): Int32Array {
  return m.indices.subarray(m.indptr[u], m.indptr[u + 1]);
}

export function runConformance(name: string, factory: () => Recommender, opts: ConformanceOptions = {}): void {
  const personalised = opts.personalised ?? true;
  const skip = opts.skip ?? {};
  for (const [check, reason] of Object.entries(skip)) {
    if (!reason?.trim()) throw new Error(`conformance ${name}: skipping "${check}" needs a reason`);
  }
  const hasSimilarities = !!factory().itemSimilarities;
  if (hasSimilarities && skip.similarities) throw new Error(`conformance ${name}: the model has itemSimilarities, so "similarities" must run (remove its skip)`);
  if (!hasSimilarities && !skip.similarities) throw new Error(`conformance ${name}: the model has no itemSimilarities; say why in skip.similarities`);
  /** `it`, or a skipped test whose title carries the reason. */
  const check = (id: ConformanceCheck, title: string, fn: () => Promise<void>) => (skip[id] ? it.skip(`${title} — skipped: ${skip[id]}`, fn) : it(title, fn));

  describe(`${name}: recommender conformance`, () => {
    const data = plantedData();

    check("finite", "fills exactly nItems finite scores for every user, including one with no interactions", async () => {
      const model = await fitted(factory, data, 1, opts);
      const out = new Float32Array(data.nItems);
      for (let u = 0; u < data.nUsers; u++) {
        out.fill(Number.NaN);
        model.scoreUser(u, out);
        for (let i = 0; i < data.nItems; i++) expect(Number.isFinite(out[i]), `user ${u} item ${i}`).toBe(true);
      }
      // The never-touched item gets a finite score too (checked above), and can be ranked.
      expect(topK(out, data.nItems)).toHaveLength(data.nItems);
    });

    check("deterministic", "is deterministic for a seed", async () => {
      const a = await fitted(factory, data, 42, opts);
      const b = await fitted(factory, data, 42, opts);
      const sa = new Float32Array(data.nItems);
      const sb = new Float32Array(data.nItems);
      for (let u = 0; u < data.nUsers; u++) {
        a.scoreUser(u, sa);
        b.scoreUser(u, sb);
        expect(Array.from(sb)).toEqual(Array.from(sa));
      }
    });

    check("excludes", "never recommends excluded items", async () => {
      const model = await fitted(factory, data, 3, opts);
      const out = new Float32Array(data.nItems);
      for (let u = 0; u < data.nUsers; u++) {
        model.scoreUser(u, out);
        const exclude = trainRow(data.train, u);
        const top = topK(out, 10, exclude);
        expect(top.length).toBe(Math.min(10, data.nItems - exclude.length));
        for (const i of top) expect(exclude.includes(i)).toBe(false);
      }
    });

    if (opts.ratingClassifier) {
      check("learns", "scores held-out in-group pairs above out-of-group items (pair AUC)", async () => {
        const model = await fitted(factory, data, 5, opts);
        const out = new Float32Array(data.nItems);
        let above = 0;
        let pairs = 0;
        for (let u = 0; u < data.nUsers - 1; u++) {
          model.scoreUser(u, out);
          for (const liked of trainRow(data.test, u)) {
            for (let i = 0; i < data.nItems - 1; i++) {
              if (data.itemGroup[i] === data.userGroup[u]) continue;
              pairs++;
              above += out[liked] > out[i] ? 1 : out[liked] === out[i] ? 0.5 : 0;
            }
          }
        }
        expect(above / pairs).toBeGreaterThan(0.8);
      });
    } else if (personalised) {
      check("learns", "learns the planted groups: held-out top-10 is mostly in-group, far above random", async () => {
        const model = await fitted(factory, data, 5, opts);
        const out = new Float32Array(data.nItems);
        let inGroup = 0;
        let total = 0;
        let hits = 0;
        for (let u = 0; u < data.nUsers - 1; u++) {
          model.scoreUser(u, out);
          const top = topK(out, 10, trainRow(data.train, u));
          for (const i of top) {
            total++;
            if (data.itemGroup[i] === data.userGroup[u]) inGroup++;
          }
          for (const i of trainRow(data.test, u)) if (top.includes(i)) hits++;
        }
        // Random would put ~1/4 of the top-10 in-group.
        expect(inGroup / total).toBeGreaterThan(0.6);
        // Every held-out item is in-group; most of them should be found.
        expect(hits / (2 * (data.nUsers - 1))).toBeGreaterThan(0.5);
      });
    } else {
      check("learns", "ranks items by how often they were chosen", async () => {
        const model = await fitted(factory, data, 5, opts);
        const out = new Float32Array(data.nItems);
        model.scoreUser(0, out);
        const counts = new Float64Array(data.nItems);
        for (let p = 0; p < data.train.indices.length; p++) counts[data.train.indices[p]]++;
        const best = topK(Float32Array.from(counts), 5);
        expect(Array.from(topK(out, 5))).toEqual(Array.from(best));
      });
    }

    {
      check("history", "scores an unknown user from a history of group items", async () => {
        const model = await fitted(factory, data, 9, opts);
        const out = new Float32Array(data.nItems);
        const g = 2;
        const first = g * data.itemsPerGroup;
        const history = Int32Array.from([first, first + 1, first + 2]);
        model.scoreUser(data.nUsers + 5, out, history);
        for (let i = 0; i < data.nItems; i++) expect(Number.isFinite(out[i])).toBe(true);
        const top = topK(out, 5, history);
        const inGroup = Array.from(top).filter((i) => data.itemGroup[i] === g).length;
        expect(inGroup).toBeGreaterThanOrEqual(4);
      });
    }

    {
      check("similarities", "gives item similarities with the most similar items in the same group", async () => {
        const model = await fitted(factory, data, 11, opts);
        const out = new Float32Array(data.nItems);
        let inGroup = 0;
        for (let g = 0; g < data.groups; g++) {
          const item = g * data.itemsPerGroup;
          model.itemSimilarities!(item, out);
          for (const i of topK(out, 3, [item])) if (data.itemGroup[i] === g) inGroup++;
        }
        expect(inGroup / (3 * data.groups)).toBeGreaterThan(0.75);
      });
    }
  });
}
