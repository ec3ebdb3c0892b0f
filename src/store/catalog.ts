/**
 * What a request serves from: one version of the catalogue, either a single artifact
 * (ServedArtifact, every lookup synchronous) or a sharded one (ShardedCatalog, which fetches
 * only the shards a query touches). Routes talk to this interface only.
 */
import type { ArtifactHeader } from "../artifact/index.ts";
import type { Located, ServedArtifact } from "./served.ts";

export type MaybePromise<T> = T | Promise<T>;

export interface Catalog {
  readonly version: string;
  readonly header: ArtifactHeader;
  readonly loadedAt: number;
  readonly decodeMs: number;
  readonly byteLength: number;
  /** Milliseconds spent reading the object(s) from storage when this version was loaded. */
  fetchMs: number;
  readonly layout: "single" | "sharded";
  /** Where item `id` lives, or null when it is not in the catalogue. */
  item(id: string): MaybePromise<Located | null>;
  /** Where user `id` lives, or null for an unknown user. */
  user(id: string): MaybePromise<Located | null>;
  /** The artifact (or shard) that answers popularity queries. */
  popular(): MaybePromise<ServedArtifact>;
  categories(): readonly string[];
}
