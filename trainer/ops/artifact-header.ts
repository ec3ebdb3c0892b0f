import { readFile } from "node:fs/promises";
import { decodeArtifact, type ArtifactHeader } from "../../src/artifact/format.ts";

/** The header of an artifact file, after the format's own checks (magic, version, checksum). */
export async function readArtifactHeader(path: string): Promise<ArtifactHeader> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read artifact ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (build it with \`edgerec train --out ${path}\`)`);
  }
  const artifact = await decodeArtifact(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return artifact.header;
}
