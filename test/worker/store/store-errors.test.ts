/**
 * The store speaks storage: it throws StoreErrors (a kind and a message saying what to fix), never
 * HTTP problems, and the worker's error mapping turns each kind into the problem a client sees.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { artifactKey, CURRENT_KEY } from "../../../src/artifact/index.ts";
import { errorResponse } from "../../../src/http/error-response.ts";
import { ProblemError } from "../../../src/http/problem.ts";
import { storeProblem } from "../../../src/http/store-problem.ts";
import { ArtifactStore } from "../../../src/store/artifact-store.ts";
import { POINTER_HINT, PUBLISH_HINT, StoreError, type StoreErrorKind, toStoreError } from "../../../src/store/store-error.ts";
import { StorageError } from "../../../src/store/source.ts";
import { baseEnv, pointerFor, problemOf, unpublishAll } from "../support/helpers.ts";

beforeEach(async () => {
  await unpublishAll();
});

async function failure(store: ArtifactStore): Promise<unknown> {
  try {
    await store.current(baseEnv);
  } catch (err) {
    return err;
  }
  throw new Error("expected the load to fail");
}

describe("ArtifactStore failures are StoreErrors", () => {
  it("nothing published: no-artifact, with the publish command", async () => {
    const err = await failure(new ArtifactStore());
    expect(err).toBeInstanceOf(StoreError);
    expect(err).not.toBeInstanceOf(ProblemError);
    expect(err).toMatchObject({ kind: "no-artifact", hint: PUBLISH_HINT });
    expect((err as StoreError).message).toContain("Nothing has been published to R2 yet");
  });

  it("an unreadable pointer: pointer-unreadable, with the rollback command", async () => {
    await baseEnv.ARTIFACTS.put(CURRENT_KEY, "{not json");
    const err = await failure(new ArtifactStore());
    expect(err).toMatchObject({ kind: "pointer-unreadable", hint: POINTER_HINT });
    expect((err as StoreError).message).toContain("not valid JSON");
  });

  it("a pointer to a missing object: artifact-refused, naming the object", async () => {
    await baseEnv.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointerFor("v-missing", 1000)));
    const err = await failure(new ArtifactStore());
    expect(err).toMatchObject({ kind: "artifact-refused" });
    expect((err as StoreError).message).toContain(artifactKey("v-missing"));
    expect((err as StoreError).message).toContain(PUBLISH_HINT);
  });

  it("a storage failure keeps its cause for the operator", () => {
    const err = toStoreError(new StorageError("R2 read of artifacts/x failed: binding gone"));
    expect(err.kind).toBe("storage-unavailable");
    expect(err.message).toContain("binding gone");
    expect(toStoreError(err)).toBe(err);
  });
});

describe("StoreErrors as problems", () => {
  const cases: [StoreErrorKind, string, string][] = [
    ["no-artifact", "no-artifact", "No artifact published"],
    ["pointer-unreadable", "artifact-unusable", "Published artifact cannot be loaded"],
    ["artifact-refused", "artifact-unusable", "Published artifact cannot be loaded"],
    ["storage-unavailable", "storage-unavailable", "Artifact storage unavailable"],
    ["shard-unavailable", "shard-unavailable", "Artifact shard unavailable"],
  ];

  it.each(cases)("%s → 503 %s with Retry-After", async (kind, slug, title) => {
    const res = errorResponse(new StoreError(kind, `what went wrong (${kind}); how to fix it`, kind === "no-artifact" ? PUBLISH_HINT : undefined), "/v1/popular");
    expect(res.headers.get("retry-after")).toBe("5");
    const p = await problemOf(res, 503);
    expect(p).toMatchObject({ type: `https://edgerec.dev/problems/${slug}`, title, instance: "/v1/popular" });
    if (kind === "no-artifact") expect(p.hint).toBe(PUBLISH_HINT);
    else expect(p.hint).toBeUndefined();
  });

  it("a storage failure's internals stay out of the client's detail", () => {
    const problem = storeProblem(new StoreError("storage-unavailable", "R2 read of artifacts/secret-key failed: binding gone"));
    expect(problem.detail).toBe("The artifact store could not be read in time; retry shortly.");
    const shown = storeProblem(new StoreError("artifact-refused", "The published artifact was refused: checksum differs."));
    expect(shown.detail).toBe("The published artifact was refused: checksum differs.");
  });
});
