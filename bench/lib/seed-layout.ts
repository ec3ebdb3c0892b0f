/**
 * Seeds wrangler's local R2 with an artifact in the layout `edgerec build-artifact` would
 * choose for it by default (trainer/artifact/shard.ts chooseLayout, plus the single object beside
 * the shards when it fits: singleBesideShards), or a forced one: a single object through wrangler's
 * CLI, or a sharded build published with `publish()` (shards, id shards, single object, manifest,
 * then `current`) through Miniflare into the same persist directory.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Artifact, decodeManifest } from "../../src/artifact/index.ts";
import { miniflareStores } from "../../trainer/artifact/object-store.ts";
import { planPublish, publish } from "../../trainer/artifact/publish.ts";
import { chooseLayout, DEFAULT_SHARD_BYTES, singleBesideShards, writeSharded } from "../../trainer/artifact/shard.ts";
import { seedLocalR2 } from "../../test/support/wrangler-dev.ts";

export interface SeededLayout {
  layout: "single" | "sharded";
  why: string;
  objects: number;
  /** Sharded: the version's single object was published beside the shards (progressive loading). */
  singleBeside?: boolean;
  /** Sharded: manifest bytes and the number of id shards. */
  manifestBytes?: number;
  idShards?: number;
}

/** `shards-only`: sharded without the single object beside the shards (the layout before progressive loading). */
export type ForcedLayout = "single" | "sharded" | "shards-only";

export async function seedLayout(persistDir: string, artifact: Artifact, bytes: Uint8Array, force?: ForcedLayout): Promise<SeededLayout> {
  const chosen = force ? { layout: force === "single" ? ("single" as const) : ("sharded" as const), maxShardBytes: DEFAULT_SHARD_BYTES, why: `--layout ${force}` } : chooseLayout(bytes.length);
  if (chosen.layout === "single") {
    await seedLocalR2(persistDir, artifact.header.version, bytes);
    return { layout: "single", why: chosen.why, objects: 1 };
  }
  const work = mkdtempSync(join(tmpdir(), "edgerec-seed-shards-"));
  try {
    // As `edgerec build-artifact` does: the single object beside the shards when it fits an isolate.
    const beside = force === "shards-only" ? { write: false } : singleBesideShards(bytes.length);
    const written = await writeSharded(artifact, work, { maxShardBytes: chosen.maxShardBytes, single: beside.write ? bytes : undefined });
    const manifest = await decodeManifest(readFileSync(written.manifestPath));
    const { store, dispose } = await miniflareStores({ persistTo: persistDir, backend: "r2" });
    try {
      await publish(store, await planPublish(written.manifestPath));
    } finally {
      await dispose();
    }
    return {
      layout: "sharded",
      why: chosen.why,
      objects: written.shards + 1 + (beside.write ? 1 : 0),
      singleBeside: beside.write,
      manifestBytes: readFileSync(written.manifestPath).length,
      idShards: manifest.itemIdShards.length + manifest.userIdShards.length,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
