import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { TrainedOn } from "../../src/artifact/index.ts";
import type { DataSpec } from "../data/spec.ts";
import type { Interactions } from "../data/types.ts";
import { SAMPLE_MANIFEST_FILE } from "../sample/amazon-files.ts";

/** What the served model was fitted on, for the artifact header (`edgerec inspect`, /v1/model). */
export function trainedOn(x: Interactions, source: string, generatedSample: boolean): TrainedOn {
  const users = new Uint8Array(x.userIds.length);
  const items = new Uint8Array(x.itemIds.length);
  let first = Infinity;
  let last = -Infinity;
  for (let p = 0; p < x.users.length; p++) {
    users[x.users[p]] = 1;
    items[x.items[p]] = 1;
    const t = x.times[p];
    if (Number.isFinite(t)) {
      if (t < first) first = t;
      if (t > last) last = t;
    }
  }
  const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
  return {
    interactions: x.users.length,
    users: count(users),
    items: count(items),
    firstTime: Number.isFinite(first) ? new Date(first * 1000).toISOString() : null,
    lastTime: Number.isFinite(last) ? new Date(last * 1000).toISOString() : null,
    source,
    ...(generatedSample ? { generatedSample: true } : {}),
  };
}

/** The sample store's manifest beside a data file, when the file is generated sample data. */
export function sampleManifestFor(file: string): { seed?: number } | undefined {
  const manifest = join(dirname(file), SAMPLE_MANIFEST_FILE);
  if (!existsSync(manifest)) return undefined;
  try {
    const m = JSON.parse(readFileSync(manifest, "utf8")) as { options?: { seed?: number }; reviews?: string };
    if (m.reviews && basename(file) !== m.reviews) return undefined;
    return { seed: m.options?.seed };
  } catch {
    return undefined;
  }
}

/** A short description of where the data came from: the given label, else the files' base names. */
export function describeSource(spec: DataSpec, label?: string): { source: string; generatedSample: boolean } {
  const files = [...(spec.interactions ?? []), ...(spec.splits?.train ?? []), ...(spec.splits?.dev ?? []), ...(spec.splits?.test ?? [])];
  const sample = files.map(sampleManifestFor).find((m) => m !== undefined);
  const names = [...files, ...(spec.items ? [spec.items] : [])].map((f) => basename(f)).join(" + ") || "in-memory data";
  if (label) return { source: label, generatedSample: sample !== undefined };
  if (sample) return { source: `generated sample store (seed ${sample.seed ?? "?"}): ${names}`, generatedSample: true };
  return { source: names, generatedSample: false };
}
