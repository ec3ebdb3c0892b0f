/**
 * Forgetting reaches training and stored data: tombstones written by `edgerec forget --local`
 * are read back, the retrained artifact holds the shopper in no section (not a byte of their id),
 * and `--purge` rewrites interaction files and event partitions without them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { decodeArtifact, stringAt } from "../../../src/artifact/index.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { interactionsToCsr } from "../../../trainer/data/interactions-matrix.ts";
import type { Interactions } from "../../../trainer/data/types.ts";
import { createModel } from "../../../trainer/model/registry.ts";
import { runEdgerec } from "../../../trainer/wrangler/edgerec-cli.ts";
import { dropForgotten } from "../../../trainer/privacy/drop-forgotten.ts";
import { openLocalKv } from "../../../trainer/privacy/kv-access.ts";
import { parseTombstoneList, readTombstones } from "../../../trainer/privacy/tombstones.ts";
import { generateStore } from "../../../trainer/sample/index.ts";
import { createRng } from "../../../trainer/util/rng.ts";

const work = mkdtempSync(join(tmpdir(), "edgerec-forget-"));
const persist = join(work, "state");
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function train(interactions: Interactions, items: ReturnType<typeof generateStore>["items"]): Promise<Uint8Array> {
  const model = createModel("itemknn");
  await model.fit({ interactions: interactionsToCsr(interactions), rng: createRng(3) });
  return buildArtifact({ model, interactions, items, metrics: {}, headlineMetric: "ndcg@10", createdAt: new Date(Date.UTC(2026, 11, 1)) });
}

const contains = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(Buffer.from(text, "utf8"));

describe("forget → retrain", () => {
  const store = generateStore({ seed: 11, items: 200, users: 150 });
  const { userIds } = store.interactions;
  const victims = [userIds[0], userIds[17]];

  it("edgerec forget --local writes tombstones that readTombstones and --list read back", async () => {
    await runEdgerec(["forget", ...victims, "--local", "--persist-to", persist], { capture: true });
    expect([...(await readTombstones({ kind: "local", persistTo: persist }))].sort()).toEqual([...victims].sort());
    const listed = await runEdgerec(["forget", "--local", "--persist-to", persist, "--list"], { capture: true });
    expect(listed.trim().split("\n").sort()).toEqual([...victims].sort());
    const exported = join(work, "forgotten.txt");
    await runEdgerec(["forget", "--local", "--persist-to", persist, "--export", exported], { capture: true, quietErrors: true });
    expect(await readTombstones({ kind: "file", path: exported })).toEqual(new Set(victims));
  });

  it("the retrained artifact holds the forgotten shoppers in no section; without the drop it does", async () => {
    const forgotten = await readTombstones({ kind: "local", persistTo: persist });
    const before = await train(store.interactions, store.items);
    for (const id of victims) expect(contains(before, id), `control: ${id} is in an artifact trained on everyone`).toBe(true);

    const dropped = dropForgotten(store.interactions, forgotten);
    expect(dropped.droppedUsers).toBe(2);
    expect(dropped.droppedRows).toBeGreaterThan(0);
    expect(dropped.interactions.users.length).toBe(store.interactions.users.length - dropped.droppedRows);
    const after = await train(dropped.interactions, store.items);
    for (const id of victims) expect(contains(after, id), `${id} in the retrained artifact`).toBe(false);
    const artifact = await decodeArtifact(after);
    const ids = Array.from({ length: artifact.users.historyPtr.length - 1 }, (_, u) => stringAt(artifact.users.ids, u));
    expect(ids.length).toBe(userIds.length - 2);
    for (const id of victims) expect(ids).not.toContain(id);
  });

  it("edgerec train --forget-from drops them before fitting: not a byte of their ids in the published artifact", async () => {
    const { users, items, ratings, times } = store.interactions;
    const rows = ["user_id,item_id,rating,timestamp"];
    for (let p = 0; p < users.length; p++) rows.push(`${userIds[users[p]]},${store.interactions.itemIds[items[p]]},${ratings[p]},${Math.floor(times[p] / 1000)}`);
    const csv = join(work, "interactions.csv");
    writeFileSync(csv, rows.join("\n") + "\n");
    const out = join(work, "forgotten-dropped.bin");
    const log = await runEdgerec(["train", "--interactions", csv, "--model", "itemknn", "--forget-from", `local:${persist}`, "--out", out, "--single"], { capture: true });
    expect(log).toMatch(/forgotten shoppers: 2 on record, 2 with data here/);
    const bytes = new Uint8Array(readFileSync(out));
    for (const id of victims) expect(contains(bytes, id), `${id} in the trained artifact`).toBe(false);
    const header = (await decodeArtifact(bytes)).header;
    expect(header.trainedOn?.users).toBe(userIds.length - 2);
    await expect(runEdgerec(["train", "--interactions", csv, "--model", "itemknn", "--forget-from", join(work, "no-such-list.txt")], { capture: true, quietErrors: true })).rejects.toThrow(/--forget-from/);
  });

  it("parses exported lists: lines, JSON ids and wrangler's key listing", () => {
    expect(parseTombstoneList("a\n# note\n\n b \n", "x")).toEqual(new Set(["a", "b"]));
    expect(parseTombstoneList('["a","b"]', "x")).toEqual(new Set(["a", "b"]));
    expect(parseTombstoneList('[{"name":"forget/shop%2F%C3%BC"}]', "x")).toEqual(new Set(["shop/ü"]));
    expect(() => parseTombstoneList("[1,", "list.json")).toThrow(/list\.json: not valid JSON/);
  });
});

describe("forget --purge", () => {
  it("rewrites review files and event partitions without the forgotten shoppers, keeping unparsable lines", async () => {
    const reviews = join(work, "reviews.json");
    writeFileSync(reviews, ['{"reviewerID":"gone-1","asin":"A"}', '{"reviewerID":"stay-1","asin":"B"}', "not json", '{"reviewerID":"gone-1","asin":"C"}', ""].join("\n"));
    const csv = join(work, "train.csv");
    writeFileSync(csv, "user_id,item_id,rating\nstay-2,A,5\ngone-1,B,4\n");
    const storage = await openLocalKv(persist);
    const key = "events/dt=2026-12-01/hr=09/part-0001.ndjson.gz";
    const events = ['{"type":"view","user":"gone-1","item":"A"}', '{"type":"view","user":"stay-1","item":"B"}'].join("\n") + "\n";
    await storage.bucket.put(key, new Uint8Array(gzipSync(events)));
    const onlyGone = "events/dt=2026-12-01/hr=10/part-0001.ndjson.gz";
    await storage.bucket.put(onlyGone, new Uint8Array(gzipSync('{"type":"click","userId":"gone-1"}\n')));
    await storage.dispose();

    const out = await runEdgerec(["forget", "gone-1", "--local", "--persist-to", persist, "--purge", "--data", reviews, csv], { capture: true });
    expect(out).toMatch(/reviews\.json: dropped 2 line\(s\), kept 1, 1 unparsable line\(s\) kept/);
    expect(readFileSync(reviews, "utf8")).toBe(['{"reviewerID":"stay-1","asin":"B"}', "not json", ""].join("\n"));
    expect(readFileSync(csv, "utf8")).toBe("user_id,item_id,rating\nstay-2,A,5\n");

    const after = await openLocalKv(persist);
    try {
      const object = await after.bucket.get(key);
      expect(gunzipSync(Buffer.from(await object!.arrayBuffer())).toString("utf8")).toBe('{"type":"view","user":"stay-1","item":"B"}\n');
      expect(await after.bucket.get(onlyGone)).toBeNull();
    } finally {
      await after.dispose();
    }
  });
});
