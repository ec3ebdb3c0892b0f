import type { Artifact } from "../../src/artifact/index.ts";

export interface SectionSize {
  /** Dotted path, e.g. "neighbours.ids". */
  name: string;
  bytes: number;
  /** Display metadata (titles, urls…) as opposed to what recommending needs. */
  display: boolean;
}

const DISPLAY = /^items\.(titles|brands|categoryPaths|imageUrls|urls|prices)\b|^categories\./;

/** Every typed-array section of an artifact with its size, largest first. */
export function sectionSizes(artifact: Artifact): SectionSize[] {
  const out: SectionSize[] = [];
  const walk = (value: unknown, path: string) => {
    if (ArrayBuffer.isView(value)) {
      out.push({ name: path, bytes: value.byteLength, display: DISPLAY.test(path) });
      return;
    }
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(artifact, "");
  return out.sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bytes per item of everything but display metadata and per-user sections: neighbour lists,
 * vectors, popularity, counts, ids' lookup index. The size target of the format.
 */
export function servingBytesPerItem(artifact: Artifact): number {
  const n = artifact.header.counts.items;
  const bytes = sectionSizes(artifact)
    .filter((s) => !s.display && !s.name.startsWith("users.") && !s.name.startsWith("items.ids"))
    .reduce((sum, s) => sum + s.bytes, 0);
  return bytes / Math.max(1, n);
}

/** Information-theoretic floor of the neighbour ids alone: k·log2(n) bits per item. */
export function neighbourIdLowerBoundBytes(k: number, n: number): number {
  return (k * Math.log2(Math.max(2, n))) / 8;
}
