/**
 * The store's failures as the problems a client sees: every kind is a 503 with Retry-After (the
 * previous version, or a retry, may answer), and storage internals never reach the client.
 */
import type { StoreError, StoreErrorKind } from "../store/store-error.ts";
import { ProblemError } from "./problem.ts";

const RETRY_AFTER_SECONDS = "5";

const PROBLEMS: Record<StoreErrorKind, { slug: string; title: string }> = {
  "no-artifact": { slug: "no-artifact", title: "No artifact published" },
  "pointer-unreadable": { slug: "artifact-unusable", title: "Published artifact cannot be loaded" },
  "artifact-refused": { slug: "artifact-unusable", title: "Published artifact cannot be loaded" },
  "storage-unavailable": { slug: "storage-unavailable", title: "Artifact storage unavailable" },
  "shard-unavailable": { slug: "shard-unavailable", title: "Artifact shard unavailable" },
};

export function storeProblem(err: StoreError): ProblemError {
  const { slug, title } = PROBLEMS[err.kind];
  // A storage failure's message names bindings and keys: the client gets the advice only.
  const detail = err.kind === "storage-unavailable" ? "The artifact store could not be read in time; retry shortly." : err.message;
  return new ProblemError(503, slug, title, detail, undefined, { "retry-after": RETRY_AFTER_SECONDS }, err.hint ? { hint: err.hint } : undefined);
}
