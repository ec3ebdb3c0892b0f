/**
 * The generated sample store is for trying edgerec locally; deploying it would put invented
 * shoppers and products in front of real visitors. Its shopper ids are sampleUserId(0…n−1), so an
 * artifact whose users are (almost) all such ids was trained on it.
 */
import { readFile } from "node:fs/promises";
import { decodeArtifact, stringAt } from "../../../src/artifact/index.ts";
import { sampleUserId } from "../../sample/store.ts";

export async function isSampleStoreArtifact(path: string): Promise<boolean> {
  const bytes = await readFile(path);
  const artifact = await decodeArtifact(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const n = artifact.header.counts.users;
  if (n === 0) return false;
  // The sample keeps most generated shoppers; look a generous range of indexes up.
  const sampleIds = new Set<string>();
  for (let i = 0; i < Math.max(4 * n, 1000); i++) sampleIds.add(sampleUserId(i));
  let hits = 0;
  for (let u = 0; u < n; u++) if (sampleIds.has(stringAt(artifact.users.ids, u))) hits++;
  return hits >= 0.9 * n;
}
