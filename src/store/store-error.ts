/**
 * What the store throws when it cannot hand out a catalogue: a kind a caller can branch on and a
 * message that tells the store's operator what is wrong and how to fix it. The store knows nothing
 * of HTTP; the worker's error mapping (src/http/store-problem.ts) turns each kind into a problem.
 */
import { ArtifactError } from "../artifact/index.ts";
import { PointerError } from "./source.ts";

export type StoreErrorKind =
  /** Nothing has been published to the configured storage yet. */
  | "no-artifact"
  /** The `current` pointer exists but cannot be read (bad JSON, missing fields). */
  | "pointer-unreadable"
  /** The published version was refused: missing objects, failed checksum, a version mismatch. */
  | "artifact-refused"
  /** Storage failed or did not answer in time (a binding error, a timeout): retrying may help. */
  | "storage-unavailable"
  /** One shard of a sharded version could not be loaded; the rest of the version still serves. */
  | "shard-unavailable";

/** The publish command every "nothing usable is published" message points to. */
export const PUBLISH_HINT = "npx edgerec publish <artifact.bin> --local";
/** For a pointer the worker cannot read: both commands rewrite it (rollback checks the version first). */
export const POINTER_HINT = "npx edgerec rollback <version> --local";

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** The command that fixes it, when there is one. */
    readonly hint?: string,
    /** The underlying failure (for logs; its text may name storage internals). */
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

export function noArtifact(source: "r2" | "kv"): StoreError {
  return new StoreError(
    "no-artifact",
    `Nothing has been published to ${source.toUpperCase()} yet. Train and publish one: \`${PUBLISH_HINT}\` (or \`--remote\`).`,
    PUBLISH_HINT,
  );
}

/** Any failure of a load, as the StoreError its callers see (a StoreError passes through unchanged). */
export function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  if (err instanceof PointerError) {
    return new StoreError(
      "pointer-unreadable",
      `The artifact pointer cannot be read: ${err.message}. Point it at a published version: \`${POINTER_HINT}\` (\`npx edgerec versions --local\` lists them; \`--remote\` for the account), or publish one: \`${PUBLISH_HINT}\`.`,
      POINTER_HINT,
      err,
    );
  }
  if (err instanceof ArtifactError) {
    return new StoreError("artifact-refused", `The published artifact was refused: ${err.message}. Publish a good version: \`${PUBLISH_HINT}\`.`, undefined, err);
  }
  return new StoreError("storage-unavailable", `The artifact store could not be read in time: ${messageOf(err)}`, undefined, err);
}

/** Shard `s` of a version could not be loaded; an artifact fault (not a storage hiccup) is named. */
export function shardUnavailable(s: number, err: unknown): StoreError {
  const reason = err instanceof ArtifactError ? err.message : "";
  return new StoreError("shard-unavailable", `Part of the published catalogue (shard ${s}) could not be loaded; retry shortly. ${reason}`.trim(), undefined, err);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
