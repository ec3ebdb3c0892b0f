import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { pairRocAuc } from "../../../trainer/eval/pair-auc.ts";
import { createRng } from "../../../trainer/util/rng.ts";

const repo = resolve(import.meta.dirname, "..", "..", "..");

function edgerec(args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", join(repo, "trainer/cli/main.ts"), ...args], {
    cwd: repo,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** 3 groups × 10 items; users rate their group's items high (4–5) and others low (1–2). */
function plantedRatings(seed: number) {
  const rng = createRng(seed);
  const rows: { user: number; item: number; stars: number; time: number }[] = [];
  for (let u = 0; u < 45; u++) {
    const g = u % 3;
    const seen = new Set<number>();
    for (let n = 0; n < 12; n++) {
      const inGroup = rng.next() < 0.75;
      const item = inGroup ? g * 10 + rng.int(10) : ((g + 1 + rng.int(2)) % 3) * 10 + rng.int(10);
      if (seen.has(item)) continue;
      seen.add(item);
      rows.push({ user: u, item, stars: inGroup ? 4 + rng.int(2) : 1 + rng.int(2), time: 1_500_000_000 + n * 86400 });
    }
  }
  return rows;
}

describe("edgerec evaluate", () => {
  it("runs a leave-last-out evaluation from a delimited file and prints JSON metrics", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgerec-eval-"));
    const file = join(dir, "ratings.tsv");
    writeFileSync(file, plantedRatings(1).map((r) => `${r.user}\t${r.item}\t${r.stars}\t${r.time}`).join("\n") + "\n");
    const out = edgerec([
      "evaluate", "--interactions", file, "--format", "delimited", "--delimiter", "\\t", "--no-header",
      "--user-col", "0", "--item-col", "1", "--rating-col", "2", "--time-col", "3",
      "--split", "leave-last-out", "--model", "ease", "--lambda", "5", "--min-rating", "4", "--json",
    ]);
    const result = JSON.parse(out.trim());
    expect(result.split).toBe("leave-last-out");
    expect(result.model).toBe("ease");
    for (const key of ["auc", "p@10", "r@10", "hr@10", "ndcg@10", "mrr", "coverage@10"]) expect(Number.isFinite(result.metrics[key])).toBe(true);
    // Positives are in-group, so a model that learns the groups ranks them well above chance.
    expect(result.metrics.auc).toBeGreaterThan(0.7);
  });

  it("reports rating-classification ROC AUC and fails clearly on a bad option", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgerec-eval-"));
    const file = join(dir, "ratings.csv");
    writeFileSync(file, "user,item,rating,time\n" + plantedRatings(2).map((r) => `${r.user},${r.item},${r.stars},${r.time}`).join("\n") + "\n");
    const out = edgerec(["evaluate", "--interactions", file, "--split", "random", "--task", "rating-class", "--model", "itemknn", "--json"]);
    const result = JSON.parse(out.trim());
    expect(result.metrics.pairAuc).toBeGreaterThan(0.6);
    expect(() => edgerec(["evaluate", "--interactions", file, "--model", "nope"])).toThrow(/unknown model "nope"/);
  });
});

describe("edgerec predict", () => {
  it("writes one Id,rating row per competition test row, ordered well for the held-out labels", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgerec-predict-"));
    const rows = plantedRatings(3);
    const header = "overall,verified,reviewTime,asin,reviewerName,reviewText,summary,unixReviewTime,vote,style,image,userid,itemid,rating";
    const testHeader = "verified,reviewTime,asin,reviewerName,unixReviewTime,vote,style,image,userid,itemid,Id";
    const train: string[] = [header];
    const test: string[] = [testHeader];
    const labels: number[] = [];
    rows.forEach((r, k) => {
      if (k % 5 === 0) {
        test.push(`True,"01 1, 2018",A${r.item},n,${r.time},,,,${r.user},${r.item},${test.length - 1}`);
        labels.push(r.stars >= 4 ? 1 : 0);
      } else {
        train.push(`${r.stars}.0,True,"01 1, 2018",A${r.item},n,"text, with comma",s,${r.time},,,,${r.user},${r.item},${r.stars >= 4 ? 1 : 0}`);
      }
    });
    writeFileSync(join(dir, "train.csv"), train.join("\n") + "\n");
    writeFileSync(join(dir, "test.csv"), test.join("\n") + "\n");
    const out = join(dir, "submission.csv");
    const summary = JSON.parse(
      edgerec(["predict", "--format", "competition-csv", "--train", join(dir, "train.csv"), "--test", join(dir, "test.csv"), "--model", "ease", "--lambda", "3", "--out", out, "--json"]).trim(),
    );
    expect(summary.rows).toBe(labels.length);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("Id,rating");
    expect(lines).toHaveLength(labels.length + 1);
    const values = lines.slice(1).map((l) => {
      const [id, v] = l.split(",");
      return { id: Number(id), v: Number(v) };
    });
    expect(values.map((x) => x.id)).toEqual(labels.map((_, k) => k));
    for (const { v } of values) expect(v >= 0 && v <= 1).toBe(true);
    expect(pairRocAuc(values.map((x) => x.v), labels)).toBeGreaterThan(0.7);
  });
});
