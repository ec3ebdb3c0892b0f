/**
 * The build's default layout (one object below the threshold, shards above it or with
 * --shard-bytes, --single to override) and `edgerec inspect` / `publish` planning on a sharded build.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEdgerec } from "../../../trainer/wrangler/edgerec-cli.ts";
import { KV_VALUE_LIMIT, chooseLayout, DEFAULT_SHARD_BYTES, DEFAULT_SHARD_THRESHOLD_BYTES } from "../../../trainer/artifact/shard.ts";

/** `edgerec <args>` as a user runs it; stdout (a failure rejects with its stderr). */
const edgerec = (args: string[]) => runEdgerec(args, { capture: true, quietErrors: true });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgerec-shard-cli-"));
  const rows = ["user,item,rating,time"];
  for (let u = 0; u < 60; u++) for (let t = 0; t < 8; t++) rows.push(`u${u},i${(u * 7 + t * 3) % 120},5,${1000 + u * 10 + t}`);
  writeFileSync(join(dir, "ratings.csv"), rows.join("\n") + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("default artifact layout", () => {
  it("keeps small artifacts in one object and shards large ones; --single and --shard-bytes override", () => {
    expect(DEFAULT_SHARD_THRESHOLD_BYTES).toBeLessThan(KV_VALUE_LIMIT);
    expect(chooseLayout(600 * 1024).layout).toBe("single");
    expect(chooseLayout(DEFAULT_SHARD_THRESHOLD_BYTES + 1)).toMatchObject({ layout: "sharded", maxShardBytes: DEFAULT_SHARD_BYTES });
    expect(chooseLayout(32.5 * 1048576).layout).toBe("sharded");
    expect(chooseLayout(40 * 1048576, { single: true }).why).toMatch(/over KV's 25 MiB/);
    expect(chooseLayout(20_000, { shardBytes: 16_384 })).toMatchObject({ layout: "sharded", maxShardBytes: 16_384 });
    expect(chooseLayout(10_000, { shardBytes: 16_384 }).layout).toBe("single");
    expect(() => chooseLayout(1, { single: true, shardBytes: 4096 })).toThrow(/contradict/);
  });

  it("build-artifact --shard-bytes writes manifest + shards beside --out; inspect lists the id shards", async () => {
    const out = join(dir, "big.bin");
    const summary = lastJson(await edgerec(["build-artifact", "--interactions", join(dir, "ratings.csv"), "--model", "itemknn", "--out", out, "--neighbours", "5", "--shard-bytes", "16000", "--json"]));
    expect(summary.layout).toBe("sharded");
    expect(summary.out).toBe(join(dir, "big-shards", "manifest.bin"));
    expect(existsSync(join(dir, "big-shards", "shard-0.bin"))).toBe(true);
    const shown = await edgerec(["inspect", summary.out]);
    expect(shown).toMatch(/sharded artifact manifest \(format 3\)/);
    expect(shown).toMatch(/id routing: \d+ item id shard\(s\), \d+ user id shard\(s\), bucket = fnv1a32/);
    expect(shown).toMatch(/item-ids/);
    const json = lastJson(await edgerec(["inspect", summary.out, "--json"]));
    expect(json.kinds["item-ids"].shards).toBe(json.idRouting.itemIdBuckets);
    expect(json.shards).toHaveLength(summary.shards);
    const idShard = json.shards.findIndex((s: { kind: string }) => s.kind === "item-ids");
    expect(await edgerec(["inspect", join(dir, "big-shards", `shard-${idShard}.bin`)])).toMatch(/item-ids shard, bucket 0 of \d+, \d+ ids, .*checksum ok/);
    // Data shards: the popular one first, then item and user ranges, each inspectable on its own.
    expect(await edgerec(["inspect", join(dir, "big-shards", "shard-0.bin")])).toMatch(/items shard \(popular\), items 0\.\.\d+ \(\d+\), .*checksum ok/);
    const userShard = json.shards.findIndex((s: { kind: string }) => s.kind === "users");
    expect(lastJson(await edgerec(["inspect", join(dir, "big-shards", `shard-${userShard}.bin`), "--json"]))).toMatchObject({ kind: "users", popular: false });

    const single = await edgerec(["build-artifact", "--interactions", join(dir, "ratings.csv"), "--model", "itemknn", "--out", join(dir, "one.bin"), "--neighbours", "5", "--single", "--json"]);
    expect(lastJson(single)).toMatchObject({ layout: "single", shards: 0 });
  });
});
