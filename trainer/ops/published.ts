import { readFile } from "node:fs/promises";
import { type ArtifactHeader, type CurrentPointer, decodeArtifact, decodeManifest, isManifest } from "../../src/artifact/index.ts";
import { openStore, type StoreCliOptions } from "../artifact/cli-store.ts";
import { readCurrent } from "../artifact/published-state.ts";
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

/**
 * The published version's header (for the catalogue-overlap check): from the artifact file, or
 * the object the `current` pointer names (a sharded version's small manifest). null when nothing
 * is published or only a saved pointer (which holds no header) is given.
 */
export async function readPublishedHeader(source: PublishedSource): Promise<ArtifactHeader | null> {
  switch (source.kind) {
    case "artifact":
      return readArtifactHeader(source.path);
    case "pointer":
      return null;
    case "store": {
      const { store, dispose } = await openStore(source.options);
      try {
        const pointer = await readCurrent(store);
        if (!pointer) return null;
        const bytes = await store.get(pointer.key);
        if (!bytes) throw new Error(`the current pointer names ${pointer.key}, which is not in the store; repair the pointer (edgerec rollback) before gating`);
        return isManifest(bytes) ? (await decodeManifest(bytes)).header : (await decodeArtifact(bytes)).header;
      } finally {
        await dispose();
      }
    }
  }
}
