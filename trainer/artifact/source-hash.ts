import { createHash } from "node:crypto";
import type { Interactions } from "../data/types.ts";

/** SHA-256 (hex) of the training interactions: ids and every parallel array, in order. */
export function interactionsHash(interactions: Interactions): string {
  const h = createHash("sha256");
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  h.update(`users:${interactions.userIds.length}\n`);
  for (const id of interactions.userIds) h.update(`${id}\n`);
  h.update(`items:${interactions.itemIds.length}\n`);
  for (const id of interactions.itemIds) h.update(`${id}\n`);
  h.update(bytes(interactions.users));
  h.update(bytes(interactions.items));
  h.update(bytes(interactions.ratings));
  h.update(bytes(interactions.times));
  return h.digest("hex");
}

/** "20261129T001500Z-1a2b3c4d": the build time (UTC) plus a short hash of what was built. */
export function versionId(createdAt: Date, ...parts: string[]): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const hash = createHash("sha256").update(parts.join("\n")).update(createdAt.toISOString()).digest("hex").slice(0, 8);
  return `${stamp}-${hash}`;
}
