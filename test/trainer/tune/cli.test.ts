import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createRng } from "../../../trainer/util/rng.ts";

const repo = resolve(import.meta.dirname, "..", "..", "..");

function edgerec(args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", join(repo, "trainer/cli/main.ts"), ...args], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** 60 users in 3 taste groups rate 14 of 30 items: their group's items 4–5 stars, the others 1–3. */
function ratingsCsv(): string {
  const rng = createRng(4);
  const lines = ["user,item,rating,time"];
  for (let u = 0; u < 60; u++) {
    const items = Array.from({ length: 30 }, (_, i) => i).sort(() => rng.next() - 0.5).slice(0, 14);
    for (const i of items) lines.push(`u${u},i${i},${i % 3 === u % 3 ? 4 + rng.int(2) : 1 + rng.int(3)},${1_500_000_000 + i}`);
  }
  return lines.join("\n") + "\n";
}

/** Runs `body` on ratingsCsv() written to ratings.csv in a fresh temporary directory, removed afterwards. */
function withRatingsFile(prefix: string, body: (file: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const file = join(dir, "ratings.csv");
    writeFileSync(file, ratingsCsv());
    body(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("edgerec tune --task rating-class", () => {
  it("can choose a rating-stack on validation, and edgerec train refits that best.json with the ratings", () => {
    withRatingsFile("edgerec-tune-stack-", (file, dir) => {
      const best = join(dir, "best.json");
      const common = ["--interactions", file, "--split", "random", "--task", "rating-class", "--seed", "1"];
      const tuned = JSON.parse(edgerec(["tune", ...common, "--trials", "2", "--losses", "mse,logistic", "--max-epochs", "10", "--eval-every", "5", "--out", best, "--json"]).trim());
      const stack = tuned.leaderboard.find((t: { config: { model: string } }) => t.config.model === "rating-stack");
      expect(stack).toBeDefined();
      expect(stack.config.members.at(-1).model).toBe("rate-logit");
      // Train the stack itself (whatever won) from a config file, as a user would.
      writeFileSync(best, JSON.stringify(stack.config));
      const trained = JSON.parse(edgerec(["train", ...common, "--config", best, "--json"]).trim());
      expect(trained.config.model).toBe("rating-stack");
      expect(trained.metrics.pairAuc).toBeGreaterThan(0.7);
      expect(JSON.parse(readFileSync(best, "utf8")).model).toBe("rating-stack");
    });
  });
});

describe("edgerec tune --multdae", () => {
  it("tries Mult-DAE at the hidden sizes given, and edgerec train refits its config", () => {
    withRatingsFile("edgerec-tune-dae-", (file, dir) => {
      const best = join(dir, "best.json");
      const common = ["--interactions", file, "--split", "random", "--min-rating", "4", "--seed", "1"];
      const tuned = JSON.parse(edgerec(["tune", ...common, "--trials", "0", "--ease", "none", "--multdae", "8,16", "--max-epochs", "20", "--out", best, "--json"]).trim());
      const daes = tuned.leaderboard.filter((t: { config: { model: string } }) => t.config.model === "multdae");
      expect(daes.map((t: { config: { params: { hidden: number } } }) => t.config.params.hidden).sort((a: number, b: number) => a - b)).toEqual([8, 16]);
      for (const t of daes) expect(t.config.params.epochs).toBeLessThanOrEqual(20);
      writeFileSync(best, JSON.stringify(daes[0].config));
      const trained = JSON.parse(edgerec(["train", ...common, "--config", best, "--json"]).trim());
      expect(trained.config.model).toBe("multdae");
      expect(trained.metrics.auc).toBeGreaterThan(0.5);
      expect(() => edgerec(["tune", ...common, "--multdae", "big"])).toThrow(/--multdae must be an integer/);
    });
  });
});

describe("edgerec tune --blend-selection", () => {
  it("picks the blend weights by the metric given, listing that one blend, and rejects what is not a ranking metric", () => {
    withRatingsFile("edgerec-tune-select-", (file, dir) => {
      const common = ["--interactions", file, "--split", "random", "--min-rating", "4", "--seed", "1", "--out", join(dir, "best.json")];
      const run = (extra: string[]) => JSON.parse(edgerec(["tune", ...common, "--trials", "1", "--losses", "bpr", "--ease", "100", "--max-epochs", "10", "--json", ...extra]).trim());
      const blends = (result: { leaderboard: Array<{ config: { model: string }; description: string; metrics: Record<string, number> }> }) => result.leaderboard.filter((t) => t.config.model === "blend");
      const all = blends(run([]));
      expect(all.length).toBeGreaterThan(1);
      // The same seeded search: the pick is the grid point with the best validation NDCG@10.
      const picked = blends(run(["--blend-selection", "ndcg@10"]));
      expect(picked).toHaveLength(1);
      const best = Math.max(...all.map((t) => t.metrics["ndcg@10"]));
      expect(picked[0].description).toBe(all.find((t) => t.metrics["ndcg@10"] === best)?.description);
      // A cut-off beyond the primary @10 is computed on validation for the pick.
      const picked20 = blends(run(["--blend-selection", "ndcg@20"]));
      expect(picked20).toHaveLength(1);
      expect(picked20[0].metrics["ndcg@20"]).toBeGreaterThan(0);
      expect(() => edgerec(["tune", ...common, "--blend-selection", "precision"])).toThrow(/--blend-selection: "precision" is not a ranking metric/);
      expect(() => edgerec(["tune", ...common, "--task", "rating-class", "--blend-selection", "ndcg@20"])).toThrow(/applies to --task ranking/);
    });
  });
});
