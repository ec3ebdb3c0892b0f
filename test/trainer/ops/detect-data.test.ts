import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { dataArgsForDir } from "../../../trainer/ops/detect-data.ts";
import { readCiConfig } from "../../../trainer/ops/ci-config.ts";

const root = mkdtempSync(join(tmpdir(), "edgerec-detect-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = (name: string, files: Record<string, string | Buffer>) => {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [f, content] of Object.entries(files)) writeFileSync(join(dir, f), content);
  return dir;
};

describe("npm start --data <dir>", () => {
  it("recognises Amazon review + metadata files", () => {
    const dir = folder("amazon", { "Grocery_5.json.gz": "", "meta_Grocery.json.gz": "" });
    expect(dataArgsForDir(dir)).toEqual({
      layout: "Amazon reviews (JSON lines)",
      args: ["--interactions", join(dir, "Grocery_5.json.gz"), "--items", join(dir, "meta_Grocery.json.gz")],
    });
  });

  it("recognises MovieLens with its item and user files", () => {
    const dir = folder("ml", { "u.data": "", "u.item": "", "u.user": "", README: "" });
    expect(dataArgsForDir(dir).args).toEqual(["--interactions", join(dir, "u.data"), "--items", join(dir, "u.item"), "--user-features", join(dir, "u.user")]);
  });

  it("tells the competition CSV (userid/itemid) from given splits", () => {
    const comp = folder("comp", { "train.csv.gz": gzipSync(",overall,verified,userid,itemid,rating\n0,5.0,True,1,2,1.0\n"), "test.csv": "", "meta_Grocery.json": "" });
    expect(dataArgsForDir(comp)).toEqual({
      layout: "competition CSV",
      args: ["--interactions", join(comp, "train.csv.gz"), "--format", "competition-csv", "--items", join(comp, "meta_Grocery.json")],
    });
    const splits = folder("splits", { "train.csv": "user_id,item_id,time\n1,2,3\n", "dev.csv": "", "test.csv": "", "item_meta.csv": "" });
    expect(dataArgsForDir(splits).args).toEqual([
      "--train", join(splits, "train.csv"), "--dev", join(splits, "dev.csv"), "--test", join(splits, "test.csv"), "--items", join(splits, "item_meta.csv"),
    ]);
  });

  it("explains what it expected when it recognises nothing", () => {
    const dir = folder("odd", { "orders.parquet": "" });
    expect(() => dataArgsForDir(dir)).toThrow(/no known layout among orders\.parquet.*--interactions <file> --items <file>/);
    expect(() => dataArgsForDir(join(root, "absent"))).toThrow(/not a directory/);
  });
});

describe("CI configuration from the environment", () => {
  it("has working defaults and resolves data files against the data dir", () => {
    const c = readCiConfig({ EDGEREC_INTERACTIONS: "a.json.gz b.json.gz", EDGEREC_ITEMS: "/abs/meta.json" }, "/repo");
    expect(c.target).toBe("local");
    expect(c.artifact).toBe("/repo/.edgerec/artifact.bin");
    expect(c.interactions).toEqual(["/repo/.edgerec/data/a.json.gz", "/repo/.edgerec/data/b.json.gz"]);
    expect(c.items).toBe("/abs/meta.json");
    expect(c.keepVersions).toBe(5);
    expect(c.workerUrl).toBe("http://127.0.0.1:8787");
  });

  it("rejects bad values with the variable's name", () => {
    expect(() => readCiConfig({ EDGEREC_TARGET: "prod" })).toThrow(/EDGEREC_TARGET must be "local" or "remote"/);
    expect(() => readCiConfig({ EDGEREC_KEEP_VERSIONS: "0" })).toThrow(/EDGEREC_KEEP_VERSIONS/);
    expect(() => readCiConfig({ EDGEREC_GATE_TOLERANCE: "-1" })).toThrow(/EDGEREC_GATE_TOLERANCE/);
  });
});

describe("deploy configuration", () => {
  it("fills in the real KV namespace id and keeps main resolvable", async () => {
    const { writeDeployConfig } = await import("../../../trainer/ops/ci.ts");
    const dir = join(root, "deploy");
    mkdirSync(dir);
    writeFileSync(join(dir, "wrangler.toml"), 'name = "edgerec"\nmain = "src/index.ts"\n[[kv_namespaces]]\nbinding = "KV"\nid = "edgerec-local"\n');
    const out = writeDeployConfig(join(dir, "wrangler.toml"), "0123456789abcdef0123456789abcdef");
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(out, "utf8");
    expect(out).toBe(join(dir, ".wrangler", "deploy.toml"));
    expect(text).toContain('id = "0123456789abcdef0123456789abcdef"');
    expect(text).toContain(`main = ${JSON.stringify(join(dir, "src/index.ts"))}`);
    expect(() => writeDeployConfig(join(dir, "wrangler.toml"), "edgerec")).toThrow(/32-hex-digit/);
  });
});
