/**
 * The edgerec artifact: the ONE place its binary layout is defined. The trainer encodes
 * with it, the worker and `edgerec inspect` decode with it.
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
import { idBucket } from "./id-hash.ts";

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

/** Strings stored as one UTF-8 blob: string i is data[offsets[i] .. offsets[i+1]). */
export interface StringTable {
  data: Uint8Array;
  offsets: Uint32Array;
  /** Indexes sorted by the strings' UTF-8 bytes, for lookup by binary search (no Map to build). */
  sorted?: Uint32Array;
}

/**
 * Top-K lists per row. Dense layout (no `ptr`): row i's entries are ids[i*k .. i*k+k),
 * padded with `NONE`. Sparse layout (`ptr` present, used for content neighbours, which only
 * cold items need): row i's entries are ids[ptr[i] .. ptr[i+1]), at most k of them.
 * Read rows through `rowStart`/`rowLength`/`neighbourAt` so either layout works.
 */
export interface NeighbourLists {
  k: number;
  ids: Uint32Array;
  ptr?: Uint32Array;
  /** Scores quantised to 0..255 per row: score = lo[i] + q/255 · (hi[i] − lo[i]). */
  quantized: Uint8Array;
  lo: Float32Array;
  hi: Float32Array;
}

/** Dense vectors quantised to int8 with a scale per vector, or stored as float16 bits. */
export interface QuantizedVectors {
  dim: number;
  encoding: "int8" | "float16";
  /** int8: n·dim values, vector i ≈ data[i·dim+j] · scale[i]. */
  int8?: Int8Array;
  scale?: Float32Array;
  /** float16: n·dim IEEE half-precision bit patterns. */
  float16?: Uint16Array;
}

export interface ArtifactHeader {
  formatVersion: number;
  /** Artifact version id, unique per build, e.g. "20261129T001500Z-1a2b3c4d". */
  version: string;
  createdAt: string;
  /** SHA-256 (hex) of the training data the model was fitted on. */
  sourceHash: string;
  model: { type: string; params: Record<string, unknown> };
  /** Evaluation metrics on held-out data (keys like "auc", "p@10", "hr@10", "ndcg@10"). */
  metrics: Record<string, number>;
  /** The metric the deploy quality gate compares between versions. */
  headlineMetric: string;
  counts: { items: number; users: number; categories: number };
  /** What the served model was fitted on (absent in artifacts built before it was recorded). */
  trainedOn?: TrainedOn;
  /** Every model `--model auto` compared, with validation and test metrics; the served one is `chosen`. */
  candidates?: CandidateSummary[];
  /** The training data's quality measures (shares of items missing fields, freshness), checked by `edgerec gate`. */
  dataQuality?: DataQualitySummary;
  /** The smallest 32-bit hashes of the item ids (trainer/pipeline/catalog-sketch.ts): `edgerec gate` estimates catalogue overlap from it. */
  catalogSketch?: number[];
  /**
   * Set by order-aware models (slist): how a history is scored from the neighbour lists — the
   * item k steps before the latest weighs decay^k, and only the latest `historyLength` items
   * count. Absent: the basket default (DEFAULT_DECAY, the whole history).
   */
  sequence?: SequenceSettings;
}

/** What `edgerec gate` checks against its thresholds, as measured when the artifact was trained. */
export interface DataQualitySummary {
  catalogueItems: number;
  /** Share (0..1) of catalogue items without each field. */
  missing: { title: number; image: number; url: number; price: number; category: number };
  rows: { read: number; kept: number; merged: number; rejected: number };
  /** Share of interactions in the 30 days before the latest one (null without times). */
  last30DaysShare: number | null;
}

/** The interactions the served model saw: counts, time range and where the data came from. */
export interface TrainedOn {
  interactions: number;
  users: number;
  items: number;
  /** ISO times of the earliest / latest interaction (null when the data has no times). */
  firstTime: string | null;
  lastTime: string | null;
  /** e.g. the input files' base names, or the CI data source. */
  source: string;
  /** Set when the data is the generated sample store rather than a shop's own. */
  generatedSample?: boolean;
}

/** One compared model: validation metrics chose it, test metrics report it. */
export interface CandidateSummary {
  family: string;
  description: string;
  validation?: Record<string, number>;
  test?: Record<string, number>;
  fitSeconds: number;
  chosen: boolean;
  skipped?: string;
}

/** Token → items postings (built by artifact/content-index.ts, which explains the tokens). */
export interface ContentIndex {
  /** Distinct tokens, with a sorted index for lookup. */
  tokens: StringTable;
  /** Items holding token t (most interacted first): ids[ptr[t] .. ptr[t+1]). */
  ptr: Uint32Array;
  ids: Uint32Array;
  /** Number of items holding token t (before the postings cap). */
  df: Uint32Array;
  /** Items indexed (for idf). */
  items: number;
}

/** Recency weighting of an order-aware model, applied when serving histories and baskets. */
export interface SequenceSettings {
  /** Weight ratio between an item and the one after it (0 < decay <= 1). */
  decay: number;
  historyLength: number;
}

export interface Artifact {
  header: ArtifactHeader;
  items: {
    ids: StringTable;
    titles: StringTable;
    brands: StringTable;
    /** Category path joined with " > ". */
    categoryPaths: StringTable;
    imageUrls: StringTable;
    urls: StringTable;
    /** NaN when unknown. */
    prices: Float32Array;
    /** Index into `categories.names` of the item's top-level category, NONE when unknown. */
    topCategory: Uint32Array;
  };
  categories: {
    names: StringTable;
  };
  /** Collaborative neighbours (from the model); rows of items without interactions are empty. */
  neighbours: NeighbourLists;
  /** Content neighbours from metadata features, so items without interactions still get similar items. */
  contentNeighbours: NeighbourLists;
  /** Interaction count per item in training (0 = cold item). */
  itemInteractions: Uint32Array;
  popular: {
    /** Item indexes, most popular first. */
    overall: Uint32Array;
    /** Popular items of category c: byCategoryIds[byCategoryPtr[c] .. byCategoryPtr[c+1]). */
    byCategoryPtr: Uint32Array;
    byCategoryIds: Uint32Array;
  };
  itemVectors?: QuantizedVectors;
  itemBiases?: Float32Array;
  users: {
    ids: StringTable;
    /** Recent history of user u (oldest first): historyIds[historyPtr[u] .. historyPtr[u+1]). */
    historyPtr: Uint32Array;
    historyIds: Uint32Array;
    /**
     * Optional precomputed top-N of the full model per user (best first, training items
     * excluded): topIds[topPtr[u] .. topPtr[u+1]).
     */
    topPtr?: Uint32Array;
    topIds?: Uint32Array;
    vectors?: QuantizedVectors;
    biases?: Float32Array;
  };
  /** Frequently bought together: partners by lift over shared baskets (sparse layout; trainer/lists/together.ts). */
  together?: NeighbourLists;
  /** Token → items postings over titles, brands and category levels (new products: merch/new-items.ts). */
  contentIndex?: ContentIndex;
  /** Free-form extensions (sharding manifest, training chart…), msgpack-encoded as given. */
  extra?: Record<string, unknown>;
}

/** What a shard of a sharded artifact holds (see ArtifactManifest). */
export type ShardKind = "items" | "users" | "popular" | "item-ids" | "user-ids";
/** The order of ShardKind codes in the manifest's `shards.kind` column (append only). */
export const SHARD_KINDS: readonly ShardKind[] = ["popular", "items", "users", "item-ids", "user-ids"];

/**
 * The manifest's shard table, one column per field (a row per shard object, data and id
 * shards alike): ~45 bytes per shard, so ~70 KiB for the ~1,500 shards of a 1M catalogue.
 */
export interface ShardTable {
  /** Index into SHARD_KINDS. */
  kind: Uint8Array;
  bytes: Uint32Array;
  /** Items / users the shard owns (rows answered from it; ids held, for id shards). */
  items: Uint32Array;
  users: Uint32Array;
  /**
   * 32 bytes per shard: the shard's own container checksum (SHA-256 of its bytes from offset
   * 48), so the worker checks a shard against the manifest with the digest it computed while
   * the shard streamed in, without hashing twice.
   */
  sha256: Uint8Array;
}

/**
 * A large catalogue is published as a small manifest plus many shards (~3 MiB by default,
 * always under KV's 25 MiB). Every item, user and neighbour row is stored once
 * (shard-parts.ts): items are renumbered so that each item shard (a part) owns a contiguous
 * range of global item indexes, neighbour rows, histories and popularity lists name global
 * indexes, and the worker assembles a small Artifact per query from the parts it touches
 * (shard-view.ts). The build orders items popular head first, then neighbours next to each
 * other, so a query's neighbours mostly sit in few parts.
 *  - item shards: a range of items with their metadata, interactions, neighbour rows
 *    (collaborative, content, together) and vectors;
 *  - the popular shard (`popularShard`): the first item shard, which also carries the category
 *    names, the popularity lists and the artifact's extras;
 *  - user shards: a range of users with their histories, precomputed top-N and vectors.
 * Id shards (IdShard, ~1 MiB each) map ids to (shard, local): an item id lives in id shard
 * `itemIdShards[idBucket(id, itemIdShards.length)]` (id-hash.ts), a user id likewise, so
 * the manifest stays tens of KiB whatever the catalogue size. A similar-items lookup reads
 * manifest → id shard → item shard → the item shards holding its neighbours.
 */
export interface ArtifactManifest {
  header: ArtifactHeader;
  shards: ShardTable;
  /** The shard to read popular items from when no item or user names one. */
  popularShard: number;
  /** Id shard (an index into `shards`) of each item-id bucket; length = bucket count. */
  itemIdShards: Uint32Array;
  /** Id shard of each user-id bucket (empty when there are no users). */
  userIdShards: Uint32Array;
  /** Which shard holds which range of global item and user indexes (format 3, shard-parts.ts). */
  parts: ShardParts;
  /**
   * The same version as one artifact object, published beside the shards when it is small
   * enough to sit in an isolate (progressive loading: the worker answers from shards at once,
   * then swaps to this object in the background). Absent: shards only.
   */
  single?: SingleObject;
}

/**
 * Item shard p holds global items [itemStarts[p], itemStarts[p+1]) and is shard itemShards[p]
 * (`itemStarts` has one more entry than `itemShards`, its last the item count); users likewise.
 */
export interface ShardParts {
  itemShards: Uint32Array;
  itemStarts: Uint32Array;
  userShards: Uint32Array;
  userStarts: Uint32Array;
}

/** Where a sharded version's single-object twin lives and how to check it. */
export interface SingleObject {
  key: string;
  bytes: number;
  /** Its container checksum (SHA-256 of bytes [48, end), stored in its bytes 16..48), like a shard's. */
  sha256: Uint8Array;
}

/** One bucket of ids (all items or all users whose idBucket is `bucket`) and where each lives. */
export interface IdShard {
  kind: "item-ids" | "user-ids";
  version: string;
  bucket: number;
  buckets: number;
  /** The bucket's ids, sortable (binary search, no index to build on a cold lookup). */
  ids: StringTable;
  /** Data shard and row inside it of ids[i]. */
  shard: Uint16Array;
  local: Uint32Array;
}

/** One row of the shard table as a plain object (inspect, reports, tests). */
export interface ShardEntry {
  kind: ShardKind;
  bytes: number;
  items: number;
  users: number;
  sha256: string;
}

/** Padding value of neighbour lists and "no category". */
export const NONE = 0xffffffff;

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

export async function encodeArtifact(artifact: Artifact): Promise<Uint8Array> {
  return encodeContainer(artifact, MAGIC);
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

/**
 * Decodes and verifies an artifact. Numeric sections are views of `bytes` (copied once
 * only if `bytes` is not 8-byte aligned), so keep `bytes` alive as long as the artifact.
 */
export async function decodeArtifact(input: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Promise<Artifact> {
  const artifact = (await decodeContainer(input, MAGIC, options)) as Artifact;
  try {
    validateShape(artifact, options.deep ?? false);
  } catch (err) {
    // A validly signed but malformed descriptor (missing or mistyped section) must still be a clean refusal.
    if (err instanceof ArtifactError) throw err;
    throw new ArtifactError(`artifact is malformed: ${(err as Error).message}`, "rebuild the artifact with `edgerec build-artifact`");
  }
  return artifact;
}

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

/** True when `bytes` start like a sharded artifact's manifest (cheap: magic bytes only). */
export function isManifest(bytes: Uint8Array): boolean {
  return hasMagic(bytes, MANIFEST_MAGIC);
}

/** Encodes a sharded artifact's data shard (its shape: shard-parts.ts). */
export async function encodeShardPartContainer(part: unknown): Promise<Uint8Array> {
  return encodeContainer(part, PART_MAGIC);
}

/** Verifies and decodes a data shard's container; shard-parts.ts checks the shape. */
export async function decodeShardPartContainer(input: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Promise<unknown> {
  return decodeContainer(input, PART_MAGIC, options);
}

/** True when `bytes` start like a sharded artifact's data shard (shard-parts.ts). */
export function isShardPart(bytes: Uint8Array): boolean {
  return hasMagic(bytes, PART_MAGIC);
}

/** True when `bytes` start like a sharded artifact's id shard. */
export function isIdShard(bytes: Uint8Array): boolean {
  return hasMagic(bytes, ID_SHARD_MAGIC);
}

export async function encodeManifest(manifest: ArtifactManifest): Promise<Uint8Array> {
  return encodeContainer(manifest, MANIFEST_MAGIC);
}

const manifestHint = "rebuild the artifact with `edgerec build-artifact`";

/**
 * Decodes and verifies a sharded artifact's manifest (same checks as decodeArtifact); a
 * manifest of another format version (e.g. 1, which held every id) is refused with how to fix it.
 */
export async function decodeManifest(input: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Promise<ArtifactManifest> {
  const m = (await decodeContainer(input, MANIFEST_MAGIC, options)) as ArtifactManifest;
  const fail = (what: string): never => {
    throw new ArtifactError(`manifest is inconsistent: ${what}`, manifestHint);
  };
  try {
    if (!m || !m.header || !m.shards || !m.itemIdShards || !m.userIdShards) fail("missing sections");
    const t = m.shards;
    const n = t.kind.length;
    if (t.bytes.length !== n || t.items.length !== n || t.users.length !== n || t.sha256.length !== 32 * n) fail("shard table columns differ in length");
    for (let s = 0; s < n; s++) if (t.kind[s] >= SHARD_KINDS.length) fail(`shard ${s} has unknown kind ${t.kind[s]}`);
    const kindOf = (s: number) => (s < n ? SHARD_KINDS[t.kind[s]] : undefined);
    if (kindOf(m.popularShard) !== "popular") fail("the popular shard is missing");
    if (m.header.counts.items > 0 && m.itemIdShards.length === 0) fail("no item id shards");
    if (m.header.counts.users > 0 && m.userIdShards.length === 0) fail("no user id shards");
    for (const s of m.itemIdShards) if (kindOf(s) !== "item-ids") fail("an item id bucket names a shard that is not an item id shard");
    for (const s of m.userIdShards) if (kindOf(s) !== "user-ids") fail("a user id bucket names a shard that is not a user id shard");
    const p = m.parts;
    if (!p || !p.itemShards || !p.itemStarts || !p.userShards || !p.userStarts) fail("missing the part table");
    const ranges = [
      [p.itemShards, p.itemStarts, m.header.counts.items, "item", (k: ShardKind | undefined) => k === "items" || k === "popular"],
      [p.userShards, p.userStarts, m.header.counts.users, "user", (k: ShardKind | undefined) => k === "users"],
    ] as const;
    for (const [shards, starts, count, what, kindOk] of ranges) {
      if (starts.length !== shards.length + 1 || starts[0] !== 0 || starts[shards.length] !== count) fail(`the ${what} parts do not cover the ${count} ${what}s`);
      for (let q = 0; q < shards.length; q++) {
        if (starts[q] > starts[q + 1]) fail(`the ${what} part ranges decrease`);
        if (!kindOk(kindOf(shards[q]))) fail(`${what} part ${q} names a shard of another kind`);
      }
    }
    if (p.itemShards.length > 0 && p.itemShards[0] !== m.popularShard) fail("the popular shard is not the first item part");
    if (m.single !== undefined) {
      const x = m.single;
      if (!x || typeof x.key !== "string" || !x.key || !Number.isInteger(x.bytes) || x.bytes <= CHECKSUM_START || !(x.sha256 instanceof Uint8Array) || x.sha256.length !== 32) {
        fail("the single object's key, size or checksum is malformed");
      }
    }
  } catch (err) {
    if (err instanceof ArtifactError) throw err;
    throw new ArtifactError(`manifest is malformed: ${(err as Error).message}`, manifestHint);
  }
  return m;
}

export function shardCount(m: ArtifactManifest): number {
  return m.shards.kind.length;
}

export function shardKindOf(m: ArtifactManifest, s: number): ShardKind {
  return SHARD_KINDS[m.shards.kind[s]];
}

/** The manifest's recorded checksum of shard s (32 bytes, a view). */
export function shardSha256(m: ArtifactManifest, s: number): Uint8Array {
  return m.shards.sha256.subarray(32 * s, 32 * s + 32);
}

export function shardEntry(m: ArtifactManifest, s: number): ShardEntry {
  const t = m.shards;
  const hex = Array.from(shardSha256(m, s), (b) => b.toString(16).padStart(2, "0")).join("");
  return { kind: shardKindOf(m, s), bytes: t.bytes[s], items: t.items[s], users: t.users[s], sha256: hex };
}

/** The id shard that routes item `id`, or -1 when the catalogue has no items. */
export function idShardOfItem(m: ArtifactManifest, id: string): number {
  const b = m.itemIdShards.length;
  return b === 0 ? -1 : m.itemIdShards[idBucket(id, b)];
}

/** The id shard that routes user `id`, or -1 when the catalogue has no users. */
export function idShardOfUser(m: ArtifactManifest, id: string): number {
  const b = m.userIdShards.length;
  return b === 0 ? -1 : m.userIdShards[idBucket(id, b)];
}

export async function encodeIdShard(idShard: IdShard): Promise<Uint8Array> {
  return encodeContainer(idShard, ID_SHARD_MAGIC);
}

/** Decodes and verifies an id shard; `shards` (the manifest's shard count) range-checks its entries. */
export async function decodeIdShard(input: Uint8Array | ArrayBuffer, options: DecodeOptions & { shards?: number } = {}): Promise<IdShard> {
  const x = (await decodeContainer(input, ID_SHARD_MAGIC, options)) as IdShard;
  const fail = (what: string): never => {
    throw new ArtifactError(`id shard is inconsistent: ${what}`, manifestHint);
  };
  try {
    if (!x || (x.kind !== "item-ids" && x.kind !== "user-ids") || !x.ids?.sorted) fail("missing sections");
    const n = stringCount(x.ids);
    if (x.ids.sorted!.length !== n || x.shard.length !== n || x.local.length !== n) fail("section lengths differ");
    if (options.shards !== undefined) for (let i = 0; i < n; i++) if (x.shard[i] >= options.shards) fail(`an entry names shard ${x.shard[i]} of ${options.shards}`);
  } catch (err) {
    if (err instanceof ArtifactError) throw err;
    throw new ArtifactError(`id shard is malformed: ${(err as Error).message}`, manifestHint);
  }
  return x;
}

/** Where `id` lives according to its id shard: data shard and row, or null when unknown. */
export function locateId(idShard: IdShard, id: string): { shard: number; local: number } | null {
  const i = indexOfString(idShard.ids, id);
  return i < 0 ? null : { shard: idShard.shard[i], local: idShard.local[i] };
}

/** Cross-checks section sizes so the recommenders can index without bounds checks. */
function validateShape(a: Artifact, deep: boolean): void {
  const fail = (what: string) => {
    throw new ArtifactError(`artifact is inconsistent: ${what}`, "rebuild the artifact with `edgerec build-artifact`");
  };
  if (!a || typeof a !== "object" || !a.header || !a.items || !a.users || !a.popular) fail("missing sections");
  const n = a.header.counts?.items;
  if (!Number.isInteger(n) || stringCount(a.items.ids) !== n) fail("item count does not match the item ids");
  for (const name of ["titles", "brands", "categoryPaths", "imageUrls", "urls"] as const) {
    if (stringCount(a.items[name]) !== n) fail(`items.${name} has ${stringCount(a.items[name])} entries, expected ${n}`);
  }
  if (a.items.prices.length !== n || a.items.topCategory.length !== n) fail("item prices/categories length");
  for (const lists of [a.neighbours, a.contentNeighbours]) {
    if (!lists || !lists.ids || !lists.quantized) fail("missing neighbour lists");
    const entries = lists.ptr ? (lists.ptr.length === n + 1 ? lists.ptr[n] : -1) : n * lists.k;
    if (lists.ids.length !== entries || lists.quantized.length !== entries || lists.lo.length !== n || lists.hi.length !== n) {
      fail("neighbour lists length");
    }
    if (lists.ptr) for (let i = 0; i < n; i++) if (lists.ptr[i] > lists.ptr[i + 1]) fail("neighbour list offsets decrease");
    if (deep) for (let i = 0; i < lists.ids.length; i++) {
      const id = lists.ids[i];
      if (id !== NONE && id >= n) fail(`a neighbour list refers to item ${id} of ${n}`);
    }
  }
  const p = a.popular;
  if (!p.overall || !p.byCategoryPtr || !p.byCategoryIds) fail("missing popularity sections");
  const categories = stringCount(a.categories?.names);
  if (p.byCategoryPtr.length !== categories + 1 || p.byCategoryPtr[categories] !== p.byCategoryIds.length) fail("popularity by category length");
  if (deep) for (const section of [p.overall, p.byCategoryIds]) for (let i = 0; i < section.length; i++) if (section[i] >= n) fail("a popularity list refers to a missing item");
  if (a.itemInteractions.length !== n) fail("itemInteractions length");
  if (a.itemVectors && vectorCount(a.itemVectors) !== n) fail("item vectors length");
  if (a.itemBiases && a.itemBiases.length !== n) fail("item biases length");
  const u = a.header.counts.users;
  if (stringCount(a.users.ids) !== u || a.users.historyPtr.length !== u + 1) fail("user sections length");
  if (a.users.historyPtr[u] !== a.users.historyIds.length) fail("user history length");
  if (deep) for (let i = 0; i < a.users.historyIds.length; i++) if (a.users.historyIds[i] >= n) fail("a user history refers to a missing item");
  if (a.users.vectors && vectorCount(a.users.vectors) !== u) fail("user vectors length");
  if (a.users.topPtr || a.users.topIds) {
    if (!a.users.topPtr || !a.users.topIds || a.users.topPtr.length !== u + 1 || a.users.topPtr[u] !== a.users.topIds.length) fail("user top-N length");
    if (deep) for (let i = 0; i < a.users.topIds!.length; i++) if (a.users.topIds![i] >= n) fail("a user top-N list refers to a missing item");
  }
  if (a.users.vectors && a.itemVectors && a.users.vectors.dim !== a.itemVectors.dim) fail("user and item vector dimensions differ");
}

function vectorCount(v: QuantizedVectors): number {
  const data = v.encoding === "int8" ? v.int8 : v.float16;
  if (!data || !(v.dim > 0)) return -1;
  if (v.encoding === "int8" && (!v.scale || v.scale.length * v.dim !== data.length)) return -1;
  return data.length / v.dim;
}

function stringCount(t: StringTable | undefined): number {
  return t && t.offsets ? t.offsets.length - 1 : -1;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds a StringTable (with the sorted index when `sortable`). */
export function stringTable(strings: readonly string[], sortable = false): StringTable {
  const encoded = strings.map((s) => encoder.encode(s ?? ""));
  const offsets = new Uint32Array(strings.length + 1);
  let total = 0;
  encoded.forEach((e, i) => {
    total += e.length;
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((e, i) => data.set(e, offsets[i]));
  const table: StringTable = { data, offsets };
  if (sortable) {
    const order = Array.from({ length: strings.length }, (_, i) => i);
    order.sort((a, b) => compareBytes(encoded[a], encoded[b]));
    table.sorted = Uint32Array.from(order);
  }
  return table;
}

export function stringAt(table: StringTable, i: number): string {
  return decoder.decode(table.data.subarray(table.offsets[i], table.offsets[i + 1]));
}

export function stringCountOf(table: StringTable): number {
  return table.offsets.length - 1;
}

/** Index of `value` in a sortable table, or -1. O(log n), allocation-free but for the key. */
export function indexOfString(table: StringTable, value: string): number {
  const sorted = table.sorted;
  if (!sorted) throw new Error("string table has no sorted index");
  const key = encoder.encode(value);
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const idx = sorted[mid];
    const c = compareBytes(table.data.subarray(table.offsets[idx], table.offsets[idx + 1]), key);
    if (c === 0) return idx;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Position of row i's first entry in `ids`/`quantized`. */
export function rowStart(lists: NeighbourLists, i: number): number {
  return lists.ptr ? lists.ptr[i] : i * lists.k;
}

/** Number of real (non-padding) entries of row i; padding only ever trails. */
export function rowLength(lists: NeighbourLists, i: number): number {
  if (lists.ptr) return lists.ptr[i + 1] - lists.ptr[i];
  const base = i * lists.k;
  let j = 0;
  while (j < lists.k && lists.ids[base + j] !== NONE) j++;
  return j;
}

/** Neighbour j of row i (its item index), or NONE past the row's end. */
export function neighbourAt(lists: NeighbourLists, i: number, j: number): number {
  if (lists.ptr) return j < lists.ptr[i + 1] - lists.ptr[i] ? lists.ids[lists.ptr[i] + j] : NONE;
  return j < lists.k ? lists.ids[i * lists.k + j] : NONE;
}

/** The dequantised score of neighbour j of row i. */
export function neighbourScore(lists: NeighbourLists, i: number, j: number): number {
  const q = lists.quantized[rowStart(lists, i) + j];
  return lists.lo[i] + (q / 255) * (lists.hi[i] - lists.lo[i]);
}

/**
 * Quantises float rows of neighbour scores into a NeighbourLists section (dense layout,
 * or sparse when `ptr` is given: row i is ids/scores[ptr[i] .. ptr[i+1])).
 */
export function quantizeNeighbours(k: number, ids: Uint32Array, scores: Float32Array, ptr?: Uint32Array): NeighbourLists {
  if (ptr) return quantizeSparse(k, ids, scores, ptr);
  const n = ids.length / k;
  const quantized = new Uint8Array(ids.length);
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      if (ids[i * k + j] === NONE) continue;
      const s = scores[i * k + j];
      if (s < min) min = s;
      if (s > max) max = s;
    }
    if (min === Infinity) {
      min = 0;
      max = 0;
    }
    lo[i] = min;
    hi[i] = max;
    const span = max - min;
    for (let j = 0; j < k; j++) {
      quantized[i * k + j] = span > 0 ? Math.round(((scores[i * k + j] - min) / span) * 255) : 255;
    }
  }
  return { k, ids, quantized, lo, hi };
}

function quantizeSparse(k: number, ids: Uint32Array, scores: Float32Array, ptr: Uint32Array): NeighbourLists {
  const n = ptr.length - 1;
  const quantized = new Uint8Array(ids.length);
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let min = Infinity;
    let max = -Infinity;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      if (scores[p] < min) min = scores[p];
      if (scores[p] > max) max = scores[p];
    }
    if (min === Infinity) min = max = 0;
    lo[i] = min;
    hi[i] = max;
    const span = max - min;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) quantized[p] = span > 0 ? Math.round(((scores[p] - min) / span) * 255) : 255;
  }
  return { k, ids, ptr, quantized, lo, hi };
}

/** Quantises row-major float vectors (n × dim). */
export function quantizeVectors(vectors: Float32Array, dim: number, encoding: "int8" | "float16"): QuantizedVectors {
  const n = vectors.length / dim;
  if (encoding === "float16") {
    const float16 = new Uint16Array(vectors.length);
    for (let i = 0; i < vectors.length; i++) float16[i] = toFloat16Bits(vectors[i]);
    return { dim, encoding, float16 };
  }
  const int8 = new Int8Array(vectors.length);
  const scale = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let max = 0;
    for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(vectors[i * dim + j]));
    const s = max > 0 ? max / 127 : 1;
    scale[i] = s;
    for (let j = 0; j < dim; j++) int8[i * dim + j] = Math.round(vectors[i * dim + j] / s);
  }
  return { dim, encoding, int8, scale };
}

/** Writes vector i (dequantised) into `out` (length dim). */
export function readVector(v: QuantizedVectors, i: number, out: Float32Array): Float32Array {
  const base = i * v.dim;
  if (v.encoding === "int8") {
    const s = v.scale![i];
    for (let j = 0; j < v.dim; j++) out[j] = v.int8![base + j] * s;
  } else {
    for (let j = 0; j < v.dim; j++) out[j] = fromFloat16Bits(v.float16![base + j]);
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    if ((mant >>> (shift - 1)) & 1) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  if (mant & 0x1000) half++;
  return half;
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
