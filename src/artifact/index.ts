/**
 * The artifact format's one face: the trainer (which writes it), the worker (which reads it),
 * bench/ and test/ import the format from here and nowhere else. Files inside src/artifact/
 * import each other directly, never through this file, so the folder has no import circles.
 *
 * Writer-only code (quantize.ts) is exported here too: the worker's bundle keeps only what
 * it imports, so one face costs the worker nothing and spares callers a second path to choose.
 */

// The binary container: magic bytes, versions, checksum, descriptor and blobs.
export { ArtifactError, CHECKSUM_START_OFFSET, type DecodeOptions, FORMAT_VERSION, MANIFEST_FORMAT_VERSION } from "./container.ts";
// One artifact object (a single artifact or a data shard): header, sections, encode/decode.
export * from "./header.ts";
export * from "./artifact.ts";
// A sharded artifact: manifest, shard table, id shards.
export * from "./manifest.ts";
export * from "./shard-parts.ts";
export * from "./shard-view.ts";
// Sections and their readers.
export { indexOfString, stringAt, stringCountOf, type StringTable, stringTable } from "./string-table.ts";
export * from "./neighbour-rows.ts";
export { fromFloat16Bits, type QuantizedVectors, readVector } from "./vectors.ts";
export * from "./content-index.ts";
// Writer-only: float scores and vectors into their stored, quantised form.
export * from "./quantize.ts";
// Checks and hashes both sides must agree on.
export * from "./id-hash.ts";
export * from "./stream-digest.ts";
export * from "./safe-url.ts";
// Where things live in R2/KV, and the documents stored there besides the artifact.
export * from "./keys.ts";
export * from "./merch-keys.ts";
export * from "./tombstone-keys.ts";
export * from "./overlay.ts";
export * from "./rules.ts";
export * from "./lists.ts";
export * from "./events.ts";
