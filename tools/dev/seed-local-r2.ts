/**
 * Seeds wrangler's local R2 with an artifact for tests and benchmarks, the way a user gets one
 * there: built in the layout `edgerec build-artifact` would choose for it by default
 * (trainer/artifact/shard.ts chooseLayout, plus the single object beside the shards when it
 * fits: singleBesideShards) or a forced one, then published with `publish()` as
 * `edgerec publish --local` does (objects, versions index, then `current`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Artifact, decodeManifest, encodeArtifact } from "../../src/artifact/index.ts";
import { publishLocal } from "../../trainer/artifact/publish-local.ts";
import type { PublishResult } from "../../trainer/artifact/publish.ts";
import { chooseLayout, DEFAULT_SHARD_BYTES, singleBesideShards, writeSharded } from "../../trainer/artifact/shard.ts";

/** `shards-only`: sharded without the single object beside the shards (the layout before progressive loading). */
export type ForcedLayout = "single" | "sharded" | "shards-only";

export interface BuiltLayout {
  /** The file to publish: artifact.bin, or manifest.bin of a sharded build. */
  path: string;
  layout: "single" | "sharded";
  why: string;
  /** Objects the publish uploads (shards, manifest and the single object beside them, or the one artifact). */
  objects: number;
  shards: number;
  /** Sharded: the version's single object was written beside the shards (progressive loading). */
  singleBeside: boolean;
  /** The encoded single artifact's size. */
  bytes: number;
  /** Sharded: manifest bytes and the number of id shards. */
  manifestBytes?: number;
  idShards?: number;
}

export interface LayoutOptions {
  /** The artifact already encoded (saves encoding a large one twice). */
  bytes?: Uint8Array;
  /** Force a layout instead of the build's default choice. */
  layout?: ForcedLayout;
}

/** Writes `artifact` into `dir` as `edgerec build-artifact` would (or in a forced layout). */
export async function buildLayout(artifact: Artifact, dir: string, options: LayoutOptions = {}): Promise<BuiltLayout> {
  const bytes = options.bytes ?? (await encodeArtifact(artifact));
  const force = options.layout;
  const chosen = force
    ? { layout: force === "single" ? ("single" as const) : ("sharded" as const), maxShardBytes: DEFAULT_SHARD_BYTES, why: `--layout ${force}` }
    : chooseLayout(bytes.length);
  if (chosen.layout === "single") {
    const path = join(dir, "artifact.bin");
    writeFileSync(path, bytes);
    return { path, layout: "single", why: chosen.why, objects: 1, shards: 0, singleBeside: false, bytes: bytes.length };
  }
  const beside = force === "shards-only" ? { write: false } : singleBesideShards(bytes.length);
  const written = await writeSharded(artifact, dir, { maxShardBytes: chosen.maxShardBytes, single: beside.write ? bytes : undefined });
  const manifestBytes = readFileSync(written.manifestPath);
  const manifest = await decodeManifest(manifestBytes);
  return {
    path: written.manifestPath,
    layout: "sharded",
    why: chosen.why,
    objects: written.shards + 1 + (beside.write ? 1 : 0),
    shards: written.shards,
    singleBeside: beside.write,
    bytes: bytes.length,
    manifestBytes: manifestBytes.length,
    idShards: manifest.itemIdShards.length + manifest.userIdShards.length,
  };
}

export interface Seeded extends BuiltLayout {
  published: PublishResult;
}

/** Builds `artifact` (see buildLayout) in a temporary directory and publishes it into the local R2 under `persistDir`. */
export async function seedLocalR2(persistDir: string, artifact: Artifact, options: LayoutOptions = {}): Promise<Seeded> {
  const work = mkdtempSync(join(tmpdir(), "edgerec-seed-"));
  try {
    const built = await buildLayout(artifact, work, options);
    return { ...built, published: await publishLocal(persistDir, built.path) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
