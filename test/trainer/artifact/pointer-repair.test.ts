/**
 * A broken `current` pointer is repaired by one CLI command: for each way it can be broken
 * (truncated JSON, null, [], a missing key), `edgerec rollback <version>` and `edgerec publish
 * <artifact>` each rewrite it, `edgerec versions` still lists what to roll back to, and every
 * failure names a command that works in that state.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactKey, CURRENT_KEY, VERSIONS_KEY } from "../../../src/artifact/index.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { miniflareStores } from "../../../trainer/artifact/local-http-store.ts";
import type { ObjectStore } from "../../../trainer/artifact/object-store.ts";
import { planPublish, publish } from "../../../trainer/artifact/publish.ts";
import { readCurrent } from "../../../trainer/artifact/published-state.ts";
import { GroupModel, smallStore } from "../support/group-store.ts";

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, "../../../trainer/cli/main.ts");
const edgerec = (args: string[]) =>
  run(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: join(import.meta.dirname, "../../.."), maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

let dir: string;
let persist: string;
const files: string[] = [];
const versions: string[] = [];

/** Opens the local store the CLI writes, runs `f`, and closes it again (the CLI opens its own). */
async function withStore<T>(f: (store: ObjectStore) => Promise<T>): Promise<T> {
  const { store, dispose } = await miniflareStores({ persistTo: persist, backend: "r2" });
  try {
    return await f(store);
  } finally {
    await dispose();
  }
}

const enc = (text: string) => new TextEncoder().encode(text);

/** The four ways a pointer was found broken, each written over a good one. */
const corruptions: [string, (good: string) => string][] = [
  ["truncated JSON", (good) => good.slice(0, 14)],
  ["null", () => "null"],
  ["[]", () => "[]"],
  ["a missing key", (good) => {
    const { version: _drop, ...rest } = JSON.parse(good) as Record<string, unknown>;
    return JSON.stringify(rest);
  }],
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgerec-pointer-"));
  persist = join(dir, "state");
  const data = smallStore({ items: 30, users: 12 });
  const model = new GroupModel(data.warmItems, 12, data.groups);
  for (let v = 0; v < 2; v++) {
    const bytes = await buildArtifact({ model, interactions: data.interactions, items: data.items, metrics: { "ndcg@10": 0.1 + v / 10 }, headlineMetric: "ndcg@10", createdAt: new Date(Date.UTC(2026, 0, 1, 0, v)) });
    const file = join(dir, `v${v}.bin`);
    writeFileSync(file, bytes);
    files.push(file);
  }
  await withStore(async (store) => {
    for (const file of files) versions.push((await publish(store, await planPublish(file))).pointer.version);
  });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("repairing a broken `current` pointer from the CLI", () => {
  for (const [how, corrupt] of corruptions) {
    it(`${how}: versions still lists, bare rollback says what works, rollback <id> and publish each repair it`, async () => {
      const local = ["--local", "--persist-to", persist];
      const breakIt = () =>
        withStore(async (store) => {
          const good = new TextDecoder().decode((await store.get(CURRENT_KEY))!);
          await store.put(CURRENT_KEY, enc(corrupt(good)));
          await expect(readCurrent(store)).rejects.toThrow(/edgerec rollback <version>/);
        });

      await breakIt();
      const listed = await edgerec(["versions", ...local]);
      expect(listed.code, listed.stderr).toBe(0);
      for (const v of versions) expect(listed.stdout).toContain(v);
      expect(listed.stderr).toMatch(/edgerec rollback <version> --local/);

      // Without a version there is no "previous" to find: the advice names the form that works.
      const bare = await edgerec(["rollback", ...local]);
      expect(bare.code).toBe(1);
      expect(bare.stderr).toMatch(/edgerec rollback <version>/);

      const rolled = await edgerec(["rollback", versions[0], ...local, "--json"]);
      expect(rolled.code, rolled.stderr).toBe(0);
      expect(JSON.parse(rolled.stdout)).toMatchObject({ to: versions[0], repaired: expect.stringContaining(CURRENT_KEY) });
      expect(await withStore(readCurrent)).toMatchObject({ version: versions[0], key: artifactKey(versions[0]) });

      await breakIt();
      const published = await edgerec(["publish", files[1], ...local, "--json"]);
      expect(published.code, published.stderr).toBe(0);
      expect(JSON.parse(published.stdout)).toMatchObject({ previous: null, repaired: expect.stringContaining(CURRENT_KEY) });
      expect((await withStore(readCurrent))?.version).toBe(versions[1]);
    }, 120_000);
  }

  it("rollback <id> checks the target before rewriting the pointer", async () => {
    await withStore(async (store) => {
      await store.put(CURRENT_KEY, enc("null"));
      const saved = (await store.get(artifactKey(versions[0])))!;
      await store.put(artifactKey(versions[0]), saved.subarray(0, saved.length >> 1));
      try {
        const { rollback } = await import("../../../trainer/artifact/publish.ts");
        await expect(rollback(store, versions[0])).rejects.toThrow(/does not decode.*edgerec publish <artifact>/);
        // The pointer was left as it was: nothing half-repaired.
        expect(new TextDecoder().decode((await store.get(CURRENT_KEY))!)).toBe("null");
      } finally {
        await store.put(artifactKey(versions[0]), saved);
      }
      await store.put(CURRENT_KEY, enc(JSON.stringify({ ...(await readCurrentFrom(store, versions[1])) })));
    });
  });

  it("publish reads the destination before uploading: a broken versions index stops it with nothing uploaded", async () => {
    const otherFile = join(dir, "v-extra.bin");
    const data = smallStore({ items: 30, users: 12 });
    writeFileSync(otherFile, await buildArtifact({ model: new GroupModel(data.warmItems, 12, data.groups), interactions: data.interactions, items: data.items, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 9)) }));
    const version = (await planPublish(otherFile)).pointer.version;
    const saved = await withStore(async (store) => {
      const index = (await store.get(VERSIONS_KEY))!;
      await store.put(VERSIONS_KEY, enc('{"versions": [1, 2'));
      return index;
    });
    const result = await edgerec(["publish", otherFile, "--local", "--persist-to", persist]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/versions\.json.*wrangler r2 object delete/);
    await withStore(async (store) => {
      expect(await store.get(artifactKey(version))).toBeNull();
      await store.put(VERSIONS_KEY, saved);
    });
  }, 120_000);
});

/** The versions index entry of `version`, as a pointer (no key list). */
async function readCurrentFrom(store: ObjectStore, version: string): Promise<Record<string, unknown>> {
  const { readVersions } = await import("../../../trainer/artifact/published-state.ts");
  const { keys: _keys, ...pointer } = (await readVersions(store)).find((v) => v.version === version)!;
  return pointer;
}
