import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeArtifact, decodeIdShard, decodeManifest, encodeArtifact, encodeIdShard, encodeManifest } from "../../../src/artifact/index.ts";
import { goldenArtifact, goldenBytes, goldenIdShard, goldenManifest } from "./golden-containers.ts";

/**
 * SHA-256 and length of the golden containers' bytes. The artifact's pin dates from before the format
 * module became a folder; the manifest and id shard pins from manifest format 3 (the part table).
 * A change here is a change of the bytes format: bump FORMAT_VERSION / MANIFEST_FORMAT_VERSION and
 * say so, do not just update the pins.
 */
const PINNED = [
  { name: "artifact", bytes: 6704, sha256: "9c5c9fd5a2f78996007b76184fc7e99c988f9b24ceb0f2544c801357b4fa853c" },
  { name: "manifest", bytes: 1920, sha256: "964050fc0a4ee2a62e958375248405b7d90aa922f1033fe210b4ce2d0762517a" },
  { name: "id shard", bytes: 600, sha256: "79f2b1402877438bdd5474f5adbd8df8849bdb0aabe14da87fc6154736c663da" },
];

const hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("the bytes format", () => {
  it("encodes every container kind to the same bytes as before", async () => {
    const bytes = await goldenBytes();
    bytes.forEach((b, i) => expect({ name: PINNED[i].name, bytes: b.length, sha256: hex(b) }).toEqual(PINNED[i]));
  });

  it("decodes those bytes to what was encoded, and re-encodes them unchanged", async () => {
    const [artifactBytes, manifestBytes, idShardBytes] = await goldenBytes();
    const artifact = await decodeArtifact(artifactBytes, { deep: true });
    expect(artifact).toEqual(goldenArtifact());
    expect(hex(await encodeArtifact(artifact))).toBe(PINNED[0].sha256);
    const manifest = await decodeManifest(manifestBytes);
    expect(manifest).toEqual(goldenManifest());
    expect(hex(await encodeManifest(manifest))).toBe(PINNED[1].sha256);
    const idShard = await decodeIdShard(idShardBytes, { shards: 5 });
    expect(idShard).toEqual(goldenIdShard());
    expect(hex(await encodeIdShard(idShard))).toBe(PINNED[2].sha256);
  });
});
