/**
 * The artifact object (a single artifact, or one data shard of a sharded one): its sections,
 * encoded in the container (container.ts), and the shape checks that let the recommenders
 * index its typed arrays without bounds checks.
 */
import type { ContentIndex } from "./content-index.ts";
import { ArtifactError, decodeContainer, type DecodeOptions, encodeContainer, MAGIC } from "./container.ts";
import type { ArtifactHeader } from "./header.ts";
import { type NeighbourLists, NONE } from "./neighbour-rows.ts";
import { type StringTable, stringCount } from "./string-table.ts";
import { type QuantizedVectors, vectorCount } from "./vectors.ts";

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

export async function encodeArtifact(artifact: Artifact): Promise<Uint8Array> {
  return encodeContainer(artifact, MAGIC);
}

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
