import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Protocol } from "../../../bench/lib/contender.ts";
import { movielensProtocols } from "../../../bench/lib/protocols.ts";
import { pairRocAuc, scorePairs } from "../../../trainer/eval/pair-auc.ts";
import { RateLogitModel } from "../../../trainer/model/hybrid-rates.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/** A tiny MovieLens in the 100k file layouts: 30 users rate 25 of 40 movies in base, 5 more in test. */
function writeMovieLens(dir: string): { base: string; test: string; items: string; users: string } {
  const rng = createRng(11);
  const base: string[] = [];
  const test: string[] = [];
  for (let u = 1; u <= 30; u++) {
    const items = Array.from({ length: 40 }, (_, i) => i + 1).sort(() => rng.next() - 0.5);
    items.slice(0, 30).forEach((i, k) => (k < 25 ? base : test).push(`${u}\t${i}\t${1 + ((u + i) % 5)}\t${880000000 + k}`));
  }
  const genre = (i: number) => Array.from({ length: 19 }, (_, g) => (g === i % 19 ? 1 : 0)).join("|");
  const items = Array.from({ length: 40 }, (_, k) => `${k + 1}|Movie ${k + 1} (1995)|01-Jan-1995||http://example.com/${k + 1}|${genre(k)}`);
  const users = Array.from({ length: 30 }, (_, k) => `${k + 1}|${20 + k}|${k % 2 ? "M" : "F"}|${k % 3 ? "student" : "writer"}|0000${k}`);
  const files = { base: join(dir, "ua.base"), test: join(dir, "ua.test"), items: join(dir, "u.item"), users: join(dir, "u.user") };
  writeFileSync(files.base, base.join("\n") + "\n");
  writeFileSync(files.test, test.join("\n") + "\n");
  writeFileSync(files.items, items.join("\n") + "\n");
  writeFileSync(files.users, users.join("\n") + "\n");
  return files;
}

describe("ML-100k ua protocols hand rating classifiers the ratings, user features and validation pairs", () => {
  let dir: string;
  let min4: Protocol;
  let rc: Protocol;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "edgerec-ml-protocols-"));
    [min4, rc] = await movielensProtocols(writeMovieLens(dir), 0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ua-rating-class: star ratings aligned with the ±1 labels, for train and validTrain", () => {
    expect(rc.data.protocol).toBe("ua-rating-class");
    for (const [labels, stars] of [
      [rc.data.train, rc.data.ratings!.train],
      [rc.data.validTrain, rc.data.ratings!.validTrain],
    ]) {
      expect(Array.from(stars.indices)).toEqual(Array.from(labels.indices));
      expect(Array.from(stars.indptr)).toEqual(Array.from(labels.indptr));
      stars.data.forEach((r, p) => {
        expect(r >= 1 && r <= 5).toBe(true);
        expect(labels.data[p]).toBe(r >= 4 ? 1 : -1);
      });
    }
    expect(rc.data.train.indices.length).toBe(30 * 25);
    expect(rc.data.validTrain.indices.length).toBe(30 * 15);
  });

  it("ua-rating-class: user demographics by user id (no zip code)", () => {
    const feats = rc.data.userFeatures!;
    expect(feats.get("1")).toEqual(["age:18-24", "gender:F", "occupation:writer"]);
    for (const f of feats.values()) expect(f.some((x) => x.startsWith("zip"))).toBe(false);
  });

  it("ua-rating-class: validation pairs are the held-out ratings (10 per user), labelled rating >= 4, absent from validTrain", () => {
    const v = rc.data.validPairs!;
    expect(v.users.length).toBe(300);
    const stars = rc.data.ratings!.train;
    const valid = rc.data.ratings!.validTrain;
    for (let k = 0; k < v.users.length; k++) {
      const u = v.users[k];
      const row = Array.from(stars.indices.subarray(stars.indptr[u], stars.indptr[u + 1]));
      const rating = stars.data[stars.indptr[u] + row.indexOf(v.items[k])];
      expect(v.labels[k]).toBe(rating >= 4 ? 1 : 0);
      expect(Array.from(valid.indices.subarray(valid.indptr[u], valid.indptr[u + 1]))).not.toContain(v.items[k]);
    }
  });

  it("ua-rating-class: validate scores exactly the validation pairs with one global ROC AUC", async () => {
    const model = new RateLogitModel(5);
    await model.fit({ interactions: rc.data.validTrain, rng: createRng(0) });
    const v = rc.data.validPairs!;
    const expected = pairRocAuc(scorePairs(model, rc.data.nItems, v.users, v.items), v.labels);
    expect(rc.data.validate(model).pairAuc).toBeCloseTo(expected, 12);
    expect(rc.evaluateTest(model).pairAuc).toBeGreaterThanOrEqual(0);
  });

  it("ua-min4 gets neither ratings nor validation pairs: ratings 1–3 stay out of the ranking protocol", () => {
    expect(min4.data.protocol).toBe("ua-min4");
    expect(min4.data.ratings).toBeUndefined();
    expect(min4.data.validPairs).toBeUndefined();
    for (const value of min4.data.train.data) expect(value).toBe(1);
  });
});
