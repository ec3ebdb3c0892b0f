/**
 * The binary container every edgerec object is stored in (a single artifact, a sharded
 * artifact's manifest, an id shard): magic bytes, format version, checksum, a msgpack
 * descriptor and an aligned blob area. What goes inside is defined beside it
 * (artifact.ts, manifest.ts).
 *
 * Layout (all integers little-endian):
 *   0   8 bytes  magic "EDGEREC\n"
 *   8   u32      format version (FORMAT_VERSION)
 *   12  u32      reserved (0)
 *   16  32 bytes SHA-256 of every byte from offset 48 to the end
 *   48  u32      length H of the descriptor
 *   52  H bytes  descriptor: msgpack of the artifact object with every typed array replaced
 *                by { $blob: index } and a `blobs` table of { type, offset, length }
 *   …   padding to a multiple of 8, then the blob area: each typed array's raw bytes at an
 *                8-byte-aligned offset relative to the blob area's start.
 *
 * Why this shape: every numeric section decodes as a typed-array *view* of the input
 * (no copy, no per-element work), strings live in UTF-8 blobs read lazily, so decoding a
 * 100k-item artifact costs a checksum plus a small msgpack descriptor. The descriptor is
 * encoded without records so msgpackr never needs `new Function` (forbidden in workerd).
 */
import { Packr, Unpackr } from "msgpackr";

export const FORMAT_VERSION = 1;
const MAGIC = new Uint8Array([0x45, 0x44, 0x47, 0x45, 0x52, 0x45, 0x43, 0x0a]); // "EDGEREC\n"
const MANIFEST_MAGIC = new Uint8Array([0x45, 0x44, 0x47, 0x45, 0x4d, 0x41, 0x4e, 0x0a]); // "EDGEMAN\n"
const ID_SHARD_MAGIC = new Uint8Array([0x45, 0x44, 0x47, 0x45, 0x49, 0x44, 0x53, 0x0a]); // "EDGEIDS\n"
const PART_MAGIC = new Uint8Array([0x45, 0x44, 0x47, 0x45, 0x50, 0x52, 0x54, 0x0a]); // "EDGEPRT\n"
/**
 * Format version of a sharded artifact's manifest, id shards and data shards. 2: the id →
 * (shard, local) maps moved out of the manifest into id shards partitioned by idHash (version 1
 * held every id, ~36 bytes per item: 36 MiB at 1M items, over KV's value limit). 3: data shards
 * are parts (shard-parts.ts) holding each item's and user's rows once, over global item indexes
 * (version 2 shards repeated their neighbours' metadata and vectors: 8.7x the single object).
 */
export const MANIFEST_FORMAT_VERSION = 3;
/** What each container kind is called in errors, and the version this code reads. */
const CONTAINERS = [
  { magic: MAGIC, name: "single artifact", version: FORMAT_VERSION, decoder: "decodeArtifact" },
  { magic: MANIFEST_MAGIC, name: "sharded artifact's manifest", version: MANIFEST_FORMAT_VERSION, decoder: "decodeManifest" },
  { magic: ID_SHARD_MAGIC, name: "sharded artifact's id shard", version: MANIFEST_FORMAT_VERSION, decoder: "decodeIdShard" },
  { magic: PART_MAGIC, name: "sharded artifact's data shard", version: MANIFEST_FORMAT_VERSION, decoder: "decodeShardPart" },
];
const PREFIX_BYTES = 52;
const CHECKSUM_START = 48;

export class ArtifactError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(`${message} (${hint})`);
    this.name = "ArtifactError";
  }
}

type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

const TYPED: Record<string, new (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray> = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};

interface BlobRef {
  type: string;
  offset: number;
  length: number;
}

// useRecords: false keeps msgpackr from generating decoders with `new Function`.
const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

function align8(n: number): number {
  return (n + 7) & ~7;
}

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && (v as TypedArray).constructor.name in TYPED;
}

/** SHA-256 via WebCrypto, available in Node >= 20 and in workerd alike. */
async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/** Encodes any object in the container: typed arrays become aligned blobs, the rest msgpack. */
async function encodeContainer(root: unknown, magic: Uint8Array): Promise<Uint8Array> {
  const blobs: TypedArray[] = [];
  const refs: BlobRef[] = [];
  let blobBytes = 0;
  const strip = (value: unknown): unknown => {
    if (isTypedArray(value)) {
      const ref: BlobRef = { type: value.constructor.name, offset: blobBytes, length: value.length };
      refs.push(ref);
      blobs.push(value);
      blobBytes = align8(blobBytes + value.byteLength);
      return { $blob: refs.length - 1 };
    }
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = strip(v);
      return out;
    }
    return value;
  };
  const descriptor = packr.pack({ artifact: strip(root), blobs: refs });
  const blobStart = align8(PREFIX_BYTES + descriptor.length);
  const out = new Uint8Array(blobStart + blobBytes);
  out.set(magic, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CONTAINERS.find((c) => c.magic === magic)!.version, true);
  view.setUint32(12, 0, true);
  view.setUint32(48, descriptor.length, true);
  out.set(descriptor, PREFIX_BYTES);
  blobs.forEach((blob, i) => {
    out.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), blobStart + refs[i].offset);
  });
  out.set(await sha256(out.subarray(CHECKSUM_START)), 16);
  return out;
}

/** Reads only the fixed prefix: cheap sanity checks before hashing. */
function checkPrefix(bytes: Uint8Array, magic: Uint8Array = MAGIC): { descriptorLength: number } {
  if (bytes.length < PREFIX_BYTES) {
    throw new ArtifactError(
      `artifact is ${bytes.length} bytes, shorter than its ${PREFIX_BYTES}-byte header`,
      "the file is truncated or not an edgerec artifact; rebuild it with `edgerec build-artifact`",
    );
  }
  const expected = CONTAINERS.find((c) => c.magic === magic)!;
  if (!hasMagic(bytes, magic)) {
    const other = CONTAINERS.find((c) => hasMagic(bytes, c.magic));
    if (other) throw new ArtifactError(`this is a ${other.name}, not a ${expected.name}`, `decode it with ${other.decoder}`);
    throw new ArtifactError(
      "not an edgerec artifact (bad magic bytes)",
      "build one with `edgerec build-artifact` or `edgerec train --out`",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== expected.version) {
    if (magic !== MAGIC) {
      throw new ArtifactError(
        `${expected.name} format version ${version} is not supported (this edgerec reads version ${expected.version}` +
          `${version < expected.version ? `; ${version <= 1 ? "older manifests held every id inside the manifest" : "older data shards repeated their neighbours' metadata in every shard"}` : ""})`,
        version < expected.version
          ? "rebuild the sharded artifact with this trainer (`edgerec build-artifact`) and publish it again"
          : "deploy a newer worker before publishing this artifact",
      );
    }
    throw new ArtifactError(
      `artifact format version ${version} is not supported (this code reads version ${FORMAT_VERSION})`,
      version > FORMAT_VERSION ? "deploy a newer worker before publishing this artifact" : "rebuild the artifact with this edgerec",
    );
  }
  const descriptorLength = view.getUint32(48, true);
  if (PREFIX_BYTES + descriptorLength > bytes.length) {
    throw new ArtifactError(
      `artifact descriptor claims ${descriptorLength} bytes but only ${bytes.length - PREFIX_BYTES} follow`,
      "the file is truncated; publish it again",
    );
  }
  return { descriptorLength };
}

export interface DecodeOptions {
  /** Skip the SHA-256 check (only for bytes already verified, e.g. benchmarks of the view step). */
  skipChecksum?: boolean;
  /**
   * SHA-256 of bytes [CHECKSUM_START, end) computed while the bytes arrived (e.g. a
   * crypto.DigestStream teed off the R2 body in workerd, or createHash over a file stream):
   * compared with the stored checksum instead of hashing the whole artifact again, which is
   * most of a large artifact's decode time.
   */
  digest?: Uint8Array;
  /**
   * Also range-check every stored item index (neighbours, popularity, histories, top-N): O(size).
   * `edgerec inspect` and `publish` do; the worker may rely on the checksum of a published artifact.
   */
  deep?: boolean;
}

/** Where the checksummed payload starts (the digest covers bytes [CHECKSUM_START, end)). */
export const CHECKSUM_START_OFFSET = 48;

async function decodeContainer(input: Uint8Array | ArrayBuffer, magic: Uint8Array, options: DecodeOptions): Promise<unknown> {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const { descriptorLength } = checkPrefix(bytes, magic);
  if (!options.skipChecksum) {
    const actual = options.digest ?? (await sha256(bytes.subarray(CHECKSUM_START)));
    const expected = bytes.subarray(16, 48);
    for (let i = 0; i < 32; i++) {
      if (actual[i] !== expected[i]) {
        throw new ArtifactError(
          "artifact checksum mismatch: its bytes were changed or cut after it was built",
          "publish the artifact again from the trainer's output",
        );
      }
    }
  }
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  let parsed: { artifact: unknown; blobs: BlobRef[] };
  try {
    parsed = unpackr.unpack(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + descriptorLength)) as typeof parsed;
  } catch (err) {
    throw new ArtifactError(`artifact descriptor is not valid msgpack: ${(err as Error).message}`, "rebuild the artifact");
  }
  if (!parsed || typeof parsed !== "object" || !Array.isArray(parsed.blobs)) {
    throw new ArtifactError("artifact descriptor has no blob table", "rebuild the artifact");
  }
  const blobStart = align8(PREFIX_BYTES + descriptorLength);
  const views = parsed.blobs.map((ref, i) => {
    // Own keys only: "__proto__" or "constructor" must not resolve to Object machinery.
    const Ctor = ref && Object.hasOwn(TYPED, ref.type) ? TYPED[ref.type] : undefined;
    if (!Ctor || !Number.isInteger(ref.offset) || !Number.isInteger(ref.length) || ref.offset < 0 || ref.length < 0) {
      throw new ArtifactError(`artifact section ${i} has an invalid description`, "rebuild the artifact");
    }
    const bytesPer = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (ref.offset % bytesPer !== 0) throw new ArtifactError(`artifact section ${i} (${ref.type}) is misaligned`, "rebuild the artifact");
    const start = bytes.byteOffset + blobStart + ref.offset;
    if (blobStart + ref.offset + ref.length * bytesPer > bytes.length) {
      throw new ArtifactError(`artifact section ${i} (${ref.type}) runs past the end of the file`, "the file is truncated; publish it again");
    }
    return new Ctor(bytes.buffer as ArrayBuffer, start, ref.length);
  });
  const restore = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restore);
    if (value && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      if (typeof obj.$blob === "number" && Object.keys(obj).length === 1) {
        const view = views[obj.$blob];
        if (!view) throw new ArtifactError(`artifact refers to missing section ${obj.$blob}`, "rebuild the artifact");
        return view;
      }
      for (const k of Object.keys(obj)) obj[k] = restore(obj[k]);
      return obj;
    }
    return value;
  };
  return restore(parsed.artifact);
}

function hasMagic(bytes: Uint8Array, magic: Uint8Array): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

// For the other files of this folder (artifact.ts, manifest.ts); index.ts does not re-export them.
export { CHECKSUM_START, decodeContainer, encodeContainer, hasMagic, ID_SHARD_MAGIC, MAGIC, MANIFEST_MAGIC, PART_MAGIC };
