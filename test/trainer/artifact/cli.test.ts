import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeArtifact, indexOfString } from "../../../src/artifact/index.ts";
import { similarItems } from "../../../src/recommend/index.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { GroupModel, smallStore } from "../support/group-store.ts";

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, "../../../trainer/cli/main.ts");
const edgerec = (args: string[]) =>
  run(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: join(import.meta.dirname, "../../.."), maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgerec-cli-"));
  const store = smallStore();
  const bytes = await buildArtifact({ model: new GroupModel(store.warmItems, 40, 3), interactions: store.interactions, items: store.items, metrics: { "ndcg@10": 0.25 }, headlineMetric: "ndcg@10" });
  writeFileSync(join(dir, "good.bin"), bytes);
  const corrupt = bytes.slice();
  corrupt[200] ^= 0x40;
  writeFileSync(join(dir, "corrupt.bin"), corrupt);
  writeFileSync(join(dir, "truncated.bin"), bytes.subarray(0, bytes.length >> 1));
  const future = bytes.slice();
  new DataView(future.buffer).setUint32(8, 2, true);
  writeFileSync(join(dir, "future.bin"), future);
  // A tiny interactions file for build-artifact: users 0-9 like even items, 10-19 odd ones.
  const rows = ["user,item,rating,time"];
  for (let u = 0; u < 20; u++) for (let t = 0; t < 6; t++) rows.push(`u${u},i${((u * 7 + t * 2) % 30) + (u < 10 ? 0 : 1)},5,${1000 + u * 10 + t}`);
  writeFileSync(join(dir, "ratings.csv"), rows.join("\n") + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("edgerec inspect / build-artifact", () => {
  it("inspect shows header, sections and neighbours by title; refuses corrupt, truncated and wrong-version files", async () => {
    const [good, corrupt, truncated, future] = await Promise.all(["good", "corrupt", "truncated", "future"].map((f) => edgerec(["inspect", join(dir, `${f}.bin`)])));
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/checksum ok/);
    expect(good.stdout).toMatch(/neighbours\.ids/);
    expect(good.stdout).toMatch(/ndcg@10\*=0\.2500/);
    expect(good.stdout).toMatch(/sample neighbours:\n {2}item-\d+ "Snacks product/);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/checksum mismatch/);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/truncated|checksum mismatch/);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/format version 2 is not supported/);
  });

  it("build-artifact fits a model on a data file and writes an artifact the recommenders serve", async () => {
    const out = join(dir, "built.bin");
    const r = await edgerec(["build-artifact", "--interactions", join(dir, "ratings.csv"), "--model", "itemknn", "--out", out, "--neighbours", "5", "--json"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(summary.items).toBe(31);
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    expect(a.header.model.type).toBe("itemknn");
    const similar = similarItems(a, indexOfString(a.items.ids, "i4"), { k: 3 });
    expect(similar.source).toBe("collaborative");
    expect(similar.items.length).toBe(3);
  });
});
