import { readFile } from "node:fs/promises";
import type { CurrentPointer } from "../../src/artifact/keys.ts";
import { openStore, type StoreCliOptions } from "../artifact/cli-store.ts";
import { readCurrent } from "../artifact/publish.ts";
import { readArtifactHeader } from "./artifact-header.ts";
import type { PublishedMetrics } from "./gate.ts";

export type PublishedSource =
  /** Where `edgerec publish` puts versions: --local (wrangler's local storage) or --remote (Cloudflare). */
  | { kind: "store"; options: StoreCliOptions }
  /** An artifact file standing for the published version (offline checks, tests). */
  | { kind: "artifact"; path: string }
  /** A saved copy of the `current` pointer JSON. */
  | { kind: "pointer"; path: string };

/**
 * What is published now, as the gate needs it: the `current` pointer repeats the live
 * artifact's header metrics, so one small read answers (no artifact download).
 * null when nothing has been published.
 */
export async function readPublishedMetrics(source: PublishedSource): Promise<PublishedMetrics | null> {
  switch (source.kind) {
    case "artifact": {
      const h = await readArtifactHeader(source.path);
      return { version: h.version, headlineMetric: h.headlineMetric, metrics: h.metrics };
    }
    case "pointer":
      return pointerMetrics(JSON.parse(await readFile(source.path, "utf8")) as CurrentPointer, source.path);
    case "store": {
      const { store, where, dispose } = await openStore(source.options);
      try {
        const pointer = await readCurrent(store);
        return pointer ? pointerMetrics(pointer, `the current pointer in ${where}`) : null;
      } finally {
        await dispose();
      }
    }
  }
}

function pointerMetrics(p: CurrentPointer, where: string): PublishedMetrics {
  if (!p || typeof p.version !== "string") throw new Error(`${where} is not a valid \`current\` pointer (no version)`);
  return { version: p.version, headlineMetric: p.headlineMetric ?? "", metrics: p.metrics ?? {} };
}
