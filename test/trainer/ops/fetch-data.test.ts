import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCiConfig } from "../../../trainer/ops/ci-config.ts";
import { fetchData } from "../../../trainer/ops/fetch-data.ts";

describe("ci:fetch (the workflow's data step)", () => {
  const root = mkdtempSync(join(tmpdir(), "edgerec-fetch-"));
  let server: Server;
  let base = "";
  const seenAuth: (string | undefined)[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seenAuth.push(req.headers.authorization);
      if (req.url === "/exports/reviews.json") res.end('{"reviewerID":"u1","asin":"i1","overall":5,"unixReviewTime":1}\n');
      else res.writeHead(404).end("no such export");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(root, { recursive: true, force: true });
  });
  const quiet = () => {};

  it("runs EDGEREC_FETCH_COMMAND in the data dir", async () => {
    const dir = join(root, "cmd");
    const got = await fetchData(readCiConfig({ EDGEREC_DATA_DIR: dir, EDGEREC_FETCH_COMMAND: 'printf "x" > "$EDGEREC_DATA_DIR/export.csv"', EDGEREC_INTERACTIONS: "export.csv" }), quiet);
    expect(got).toMatchObject({ source: "command", interactions: [join(dir, "export.csv")] });
    expect(readFileSync(join(dir, "export.csv"), "utf8")).toBe("x");
    await expect(fetchData(readCiConfig({ EDGEREC_DATA_DIR: dir, EDGEREC_FETCH_COMMAND: "exit 3" }), quiet)).rejects.toThrow(/EDGEREC_FETCH_COMMAND exited with 3/);
  });

  it("downloads EDGEREC_DATA_URL with the bearer token, and names a failed URL", async () => {
    const dir = join(root, "url");
    await fetchData(readCiConfig({ EDGEREC_DATA_DIR: dir, EDGEREC_DATA_URL: `${base}/exports/reviews.json`, EDGEREC_DATA_TOKEN: "s3cret" }), quiet);
    expect(readFileSync(join(dir, "reviews.json"), "utf8")).toContain('"asin":"i1"');
    expect(seenAuth).toContain("Bearer s3cret");
    await expect(fetchData(readCiConfig({ EDGEREC_DATA_DIR: dir, EDGEREC_DATA_URL: `${base}/exports/missing.json` }), quiet)).rejects.toThrow(/GET .*missing\.json answered HTTP 404/);
  });

  it("falls back to the sample store when no source is configured", async () => {
    const work = join(root, "work");
    const got = await fetchData(readCiConfig({ EDGEREC_WORK_DIR: work }), quiet);
    expect(got.source).toBe("sample");
    expect(existsSync(got.interactions[0])).toBe(true);
  });
});
