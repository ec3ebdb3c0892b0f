/**
 * The real worker (src/index.ts, bundled by esbuild like wrangler does) running in Miniflare's
 * workerd on a loopback port, with an artifact published into its R2 bucket the way
 * `edgerec publish` lays it out (src/artifact/keys.ts).
 */
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { artifactKey, CURRENT_KEY, type CurrentPointer, decodeArtifact } from "../../../src/artifact/index.ts";

export interface RunningWorker {
  origin: string;
  /** Every event the queue consumer has written to R2 so far (events/…, gunzipped, in key order). */
  storedEvents(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startWorker(
  artifact: Uint8Array,
  vars: Record<string, string> = {},
  entry = join(process.cwd(), "src/index.ts"),
): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-worker-"));
  const scriptPath = join(dir, "worker.js");
  await build({
    entryPoints: [entry],
    outfile: scriptPath,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["node:*", "cloudflare:*"],
    logLevel: "silent",
  });
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dir,
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    r2Buckets: ["ARTIFACTS"],
    // The events path as wrangler.toml configures it: producer binding, this worker's queue() consumer.
    queueProducers: { EVENTS: { queueName: "edgerec-events" } },
    queueConsumers: { "edgerec-events": { maxBatchSize: 100, maxBatchTimeout: 1 } },
    kvNamespaces: ["KV"],
    bindings: { ARTIFACT_SOURCE: "r2", ARTIFACT_RECHECK_SECONDS: "30", CORS_ORIGINS: "*", DEMO: "on", ...vars },
    host: "127.0.0.1",
    port: 0,
  });
  const url = await mf.ready;
  const { header } = await decodeArtifact(artifact);
  const bucket = await mf.getR2Bucket("ARTIFACTS");
  const key = artifactKey(header.version);
  await bucket.put(key, new Uint8Array(artifact));
  const pointer: CurrentPointer = {
    version: header.version,
    layout: "single",
    key,
    createdAt: header.createdAt,
    publishedAt: new Date().toISOString(),
    metrics: header.metrics,
    headlineMetric: header.headlineMetric,
    bytes: artifact.byteLength,
  };
  await bucket.put(CURRENT_KEY, JSON.stringify(pointer));
  return {
    origin: url.origin,
    storedEvents: async () => {
      const out: Record<string, unknown>[] = [];
      const listed = await bucket.list({ prefix: "events/" });
      for (const o of listed.objects) {
        const body = await bucket.get(o.key);
        const text = gunzipSync(Buffer.from(await body!.arrayBuffer())).toString("utf8");
        for (const line of text.split("\n")) if (line) out.push(JSON.parse(line));
      }
      return out;
    },
    close: async () => {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
