import { readFile } from "node:fs/promises";
import { decodeArtifact, decodeManifest, isManifest, type ArtifactHeader } from "../../src/artifact/index.ts";

/** The header of an artifact file, after the format's own checks (magic, version, checksum). */
export async function readArtifactHeader(path: string): Promise<ArtifactHeader> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read artifact ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (build it with \`edgerec train --out ${path}\`)`);
  }
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A sharded build's manifest carries the version's header too.
  if (isManifest(view)) return (await decodeManifest(view)).header;
  const artifact = await decodeArtifact(view);
  return artifact.header;
}
