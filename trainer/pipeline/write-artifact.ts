import { existsSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Artifact, type ArtifactHeader, decodeArtifact, encodeArtifact } from "../../src/artifact/index.ts";
import { chooseLayout, singleBesideShards, writeSharded } from "../artifact/shard.ts";

/** How the artifact is laid out on disk; the size rule itself lives in chooseLayout. */
export interface LayoutOptions {
  /** Always one object, however large. */
  single?: boolean;
  /** Shard above this many bytes into shards of at most this size. */
  shardBytes?: number;
  /** A sharded build also writes the single object when at most this big (0 = never). */
  singleBesideMax?: number;
  /** Published to KV: never a single object over KV's value limit. */
  forKv?: boolean;
}

export interface WrittenArtifact {
  /** artifact.bin, or manifest.bin of a sharded build (what `edgerec publish` takes). */
  path: string;
  layout: "single" | "sharded";
  why: string;
  bytes: number;
  shards: number;
  singleBytes: number;
  header: ArtifactHeader;
}

/** Where a sharded build of `--out x.bin` goes: the directory x-shards/ beside it. */
export function shardedDirFor(out: string): string {
  return out.endsWith(".bin") ? `${out.slice(0, -4)}-shards` : out;
}

/**
 * The file `edgerec publish` should take for a build written to `out`: the single object, or
 * the manifest of a sharded build. writeArtifact removes the other layout's output, so at most
 * one exists.
 */
export function artifactPathFor(out: string): string {
  const manifest = join(shardedDirFor(out), "manifest.bin");
  return existsSync(manifest) && !existsSync(out) ? manifest : out;
}

/** Encodes the artifact and writes it as one object or as shards, decided by its size. */
export async function writeArtifact(artifact: Artifact, out: string, o: LayoutOptions = {}, log: (line: string) => void = () => {}): Promise<WrittenArtifact> {
  const bytes = await encodeArtifact(artifact);
  const layout = chooseLayout(bytes.length, { single: o.single, shardBytes: o.shardBytes });
  log(`layout: ${layout.layout} (${layout.why})`);
  const dir = shardedDirFor(out);
  if (layout.layout === "sharded") {
    const beside = singleBesideShards(bytes.length, { maxBytes: o.singleBesideMax, kv: o.forKv });
    log(`single object beside the shards: ${beside.write ? "yes" : "no"} (${beside.why})`);
    if (dir !== out) rmSync(out, { force: true });
    rmSync(dir, { recursive: true, force: true });
    const r = await writeSharded(artifact, dir, { maxShardBytes: layout.maxShardBytes, single: beside.write ? bytes : undefined });
    return { path: r.manifestPath, layout: "sharded", why: layout.why, bytes: r.totalBytes, shards: r.shards, singleBytes: r.singleBytes, header: artifact.header };
  }
  await decodeArtifact(bytes); // refuse to leave behind something the worker would reject
  if (dir !== out) rmSync(dir, { recursive: true, force: true });
  await writeFile(out, bytes);
  return { path: out, layout: "single", why: layout.why, bytes: bytes.length, shards: 0, singleBytes: 0, header: artifact.header };
}
