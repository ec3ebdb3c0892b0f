/**
 * Oversized request bodies under the real `wrangler dev` (its proxy in front of workerd): a
 * chunked upload with no Content-Length must get the same 413 problem as a declared one, every
 * time, however much the client still has to send.
 */
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact } from "../../src/artifact/index.ts";
import { QUIET_DISCONNECT_LINE, QuietDisconnects } from "../../trainer/ops/quiet-disconnects.ts";
import { syntheticArtifact } from "../worker/fixtures/synthetic-artifact.ts";
import { type DevServer, seedLocalR2, startWranglerDev } from "./wrangler-dev-server.ts";

const VERSION = "20261206T030000Z-0c4a0b1e";
const CHUNK = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace, so only the size is wrong
const BODY_BYTES = 2 * 1024 * 1024;

interface Outcome {
  status: number;
  type: string;
  body: string;
}

/** POSTs BODY_BYTES as chunked transfer encoding (no Content-Length), stopping the upload once the answer arrives. */
function postChunked(url: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body }));
      res.on("error", reject);
    });
    // The server may close the upload once it has answered: that is not a failure of the answer.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    let sent = 0;
    const pump = () => {
      while (!answered && sent < BODY_BYTES) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once("drain", pump);
      }
      req.end();
    };
    req.write("[");
    pump();
  });
}

/** GETs `path` and hangs up as soon as the answer starts (or after a few ms), as a closed tab does. */
function abortedGet(url: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url);
    req.on("response", (res) => {
      res.socket.destroy();
      resolve();
    });
    req.on("error", () => resolve());
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

describe("chunked oversized bodies and aborted requests under wrangler dev", () => {
  let server: DevServer;
  let persist: string;

  beforeAll(async () => {
    persist = mkdtempSync(join(tmpdir(), "edgerec-chunked-"));
    await seedLocalR2(persist, VERSION, await encodeArtifact(syntheticArtifact({ items: 100, version: VERSION })));
    server = await startWranglerDev({ persistDir: persist, vars: { DEMO: "on" } });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(persist, { recursive: true, force: true });
  });

  it("50 chunked 2 MB bodies all get a 413 application/problem+json", async () => {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 50; i++) outcomes.push(await postChunked(`${server.url}/v1/recommendations`));
    const summary = outcomes.map((o) => `${o.status} ${o.type}`);
    expect(summary.filter((s) => s !== "413 application/problem+json"), summary.join(", ")).toEqual([]);
    expect(JSON.parse(outcomes[0].body)).toMatchObject({ status: 413, type: "https://edgerec.dev/problems/body-too-large" });
    // The worker is still healthy afterwards.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("npm start's filter shows each aborted request as at most one quiet line, never a stack trace", async () => {
    const paths = ["/", "/demo.js", "/widget.js", "/v1/popular?k=100", "/openapi.json", "/docs"];
    for (let i = 0; i < 120; i++) await abortedGet(server.url + paths[i % paths.length], 2 + (i % 5));
    await new Promise((r) => setTimeout(r, 1500));
    const raw = server.output();
    const reports = raw.split("\n").filter((l) => /disconnected: .*(Broken pipe|Connection reset by peer)/.test(l)).length;
    const f = new QuietDisconnects();
    let shown = "";
    f.on("data", (d: Buffer) => (shown += d.toString()));
    f.end(raw);
    await new Promise((r) => f.on("end", r));
    expect(shown).not.toMatch(/stack:|Broken pipe|Connection reset/);
    expect(shown.split("\n").filter((l) => l === QUIET_DISCONNECT_LINE).length).toBe(reports);
    expect(reports).toBeLessThanOrEqual(120);
  });
});
