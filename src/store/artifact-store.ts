/**
 * The worker's in-memory artifact cache. One instance per isolate:
 *  - the first requests share one load (one in-flight promise → exactly one decode);
 *  - the `current` pointer is re-checked at most every `recheckMs`, in the background,
 *    and a new version replaces the old one by a single reference assignment, so a
 *    request (which captures one ServedArtifact at its start) never mixes versions;
 *  - a new version that fails to load or verify is remembered as bad and the previous
 *    one keeps serving; /healthz reports it as "degraded" with the error;
 *  - storage failures become 503 problems with Retry-After, bounded by timeouts.
 */
import { ArtifactError, decodeArtifact } from "../artifact/format.ts";
import { artifactKey, type CurrentPointer } from "../artifact/keys.ts";
import { configOf, type Env } from "../config.ts";
import { ProblemError } from "../http/problem.ts";
import { ServedArtifact } from "./served.ts";
import { type ArtifactSource, PointerError, sourceFor } from "./source.ts";
import { withTimeout } from "./timeout.ts";

export const PUBLISH_HINT = "npx edgerec publish --local";
const RETRY_AFTER_SECONDS = "5";

export interface LoadError {
  version?: string;
  message: string;
  at: string;
}

export interface StoreHealth {
  status: "ok" | "degraded" | "unavailable";
  version: string | null;
  source: string;
  loadedAt: string | null;
  lastCheckAt: string | null;
  lastError: LoadError | null;
  decodes: number;
  treatment?: { version: string; share: number; status: "ok" | "loading" | "failed"; error?: string };
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

export class ArtifactStore {
  private served: ServedArtifact | null = null;
  private inflight: Promise<ServedArtifact> | null = null;
  private checking: Promise<void> | null = null;
  private lastCheck = 0;
  private lastError: LoadError | null = null;
  /** Version that failed to load: not retried until the pointer moves or an admin reload. */
  private badVersion: string | null = null;
  private sourceName = "r2";
  private readonly variants = new Map<string, Promise<ServedArtifact>>();
  private readonly variantErrors = new Map<string, string>();
  private readonly variantReady = new Map<string, ServedArtifact>();
  /** Number of artifact decodes this isolate has performed (a stampede must cause one). */
  decodes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The artifact to serve this request from. Resolves immediately once loaded; schedules a
   * background pointer check when one is due.
   */
  current(env: Partial<Env>, ctx?: WaitUntil): Promise<ServedArtifact> | ServedArtifact {
    const served = this.served;
    if (served) {
      if (!this.checking && this.now() - this.lastCheck >= configOf(env).recheckMs) {
        const check = this.refresh(env);
        if (ctx) ctx.waitUntil(check);
      }
      return served;
    }
    return this.firstLoad(env);
  }

  private firstLoad(env: Partial<Env>): Promise<ServedArtifact> {
    if (!this.inflight) {
      this.inflight = this.loadFromPointer(env).finally(() => {
        this.inflight = null;
      });
    }
    // Each waiter bounds its own wait: a load started by another request must never hang this one.
    const config = configOf(env);
    return withTimeout(this.inflight, config.timeoutMs * 3, "artifact load").catch((err) => {
      throw toProblem(err);
    });
  }

  private async loadFromPointer(env: Partial<Env>): Promise<ServedArtifact> {
    const config = configOf(env);
    const source = sourceFor(env, config);
    this.sourceName = source.name;
    const pointer = await source.pointer();
    this.lastCheck = this.now();
    if (!pointer) {
      throw new ProblemError(
        503,
        "no-artifact",
        "No artifact published",
        `Nothing has been published to ${source.name.toUpperCase()} yet. Train and publish one: \`${PUBLISH_HINT}\` (or \`npx edgerec publish --remote\`).`,
        undefined,
        { "retry-after": RETRY_AFTER_SECONDS },
        { hint: PUBLISH_HINT },
      );
    }
    try {
      const served = await this.loadVersion(source, pointer);
      this.served = served;
      this.lastError = null;
      return served;
    } catch (err) {
      this.recordError(pointer.version, err);
      throw err;
    }
  }

  private async loadVersion(source: ArtifactSource, pointer: Pick<CurrentPointer, "version" | "key">): Promise<ServedArtifact> {
    const key = pointer.key || artifactKey(pointer.version);
    const bytes = await source.bytes(key);
    if (!bytes) throw new ArtifactError(`version ${pointer.version} is missing its object ${key}`, "publish it again");
    const started = performance.now();
    this.decodes++;
    const artifact = await decodeArtifact(bytes);
    if (artifact.header.version !== pointer.version) {
      throw new ArtifactError(
        `object ${key} holds version ${artifact.header.version}, but the pointer names ${pointer.version}`,
        "publish again so the pointer and the object agree",
      );
    }
    return new ServedArtifact(artifact, this.now(), performance.now() - started, bytes.byteLength);
  }

  /** Re-reads the pointer and swaps to a new version if it loads cleanly. Shared by concurrent callers. */
  refresh(env: Partial<Env>, force = false): Promise<void> {
    if (force) this.badVersion = null;
    if (!this.checking) {
      this.checking = this.check(env).finally(() => {
        this.checking = null;
      });
    }
    return this.checking;
  }

  private async check(env: Partial<Env>): Promise<void> {
    this.lastCheck = this.now();
    if (!this.served) {
      try {
        await this.firstLoad(env);
      } catch {
        // recorded; callers see the 503 on their own request
      }
      return;
    }
    let pointer: CurrentPointer | null;
    const source = sourceFor(env, configOf(env));
    try {
      pointer = await source.pointer();
    } catch (err) {
      this.recordError(undefined, err);
      return;
    }
    if (!pointer) {
      this.recordError(undefined, new Error(`the current pointer disappeared; still serving ${this.served.version}`));
      return;
    }
    if (pointer.version === this.served.version) {
      this.lastError = null;
      this.badVersion = null;
      return;
    }
    if (pointer.version === this.badVersion) return;
    try {
      this.served = await this.loadVersion(source, pointer);
      this.lastError = null;
      this.badVersion = null;
    } catch (err) {
      if (!(err instanceof Error && err.name === "StorageError")) this.badVersion = pointer.version;
      this.recordError(pointer.version, err);
    }
  }

  /** A specific version (A/B treatment), loaded once; null while loading or when it failed. */
  variant(env: Partial<Env>, version: string, ctx?: WaitUntil): ServedArtifact | Promise<ServedArtifact | null> | null {
    const ready = this.variantReady.get(version);
    if (ready) return ready;
    if (this.served?.version === version) return this.served;
    if (this.variantErrors.has(version)) return null;
    let pending = this.variants.get(version);
    if (!pending) {
      const source = sourceFor(env, configOf(env));
      pending = this.loadVersion(source, { version, key: artifactKey(version) });
      this.variants.set(version, pending);
      pending.then(
        (s) => this.variantReady.set(version, s),
        (err) => this.variantErrors.set(version, (err as Error).message),
      );
    }
    const bounded = withTimeout(pending, configOf(env).timeoutMs * 3, `artifact ${version}`).catch(() => null);
    if (ctx) ctx.waitUntil(bounded);
    return bounded;
  }

  private recordError(version: string | undefined, err: unknown): void {
    const message = err instanceof ProblemError ? err.detail : err instanceof Error ? err.message : String(err);
    this.lastError = { ...(version ? { version } : {}), message, at: new Date(this.now()).toISOString() };
  }

  health(env: Partial<Env>): StoreHealth {
    const config = configOf(env);
    const served = this.served;
    const out: StoreHealth = {
      status: served ? (this.lastError ? "degraded" : "ok") : "unavailable",
      version: served?.version ?? null,
      source: this.sourceName,
      loadedAt: served ? new Date(served.loadedAt).toISOString() : null,
      lastCheckAt: this.lastCheck ? new Date(this.lastCheck).toISOString() : null,
      lastError: this.lastError,
      decodes: this.decodes,
    };
    if (config.abVersion && config.abShare > 0) {
      const v = config.abVersion;
      const error = this.variantErrors.get(v);
      out.treatment = {
        version: v,
        share: config.abShare,
        status: this.variantReady.has(v) || served?.version === v ? "ok" : error ? "failed" : "loading",
        ...(error ? { error } : {}),
      };
    }
    return out;
  }
}

/** Maps load failures to the problem a client sees: 503 with Retry-After, never internals. */
function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  const retry = { "retry-after": RETRY_AFTER_SECONDS };
  if (err instanceof ArtifactError || err instanceof PointerError) {
    return new ProblemError(
      503,
      "artifact-unusable",
      "Published artifact cannot be loaded",
      `The published artifact was refused: ${err.message}. Publish a good version: \`${PUBLISH_HINT}\`.`,
      undefined,
      retry,
    );
  }
  return new ProblemError(
    503,
    "storage-unavailable",
    "Artifact storage unavailable",
    "The artifact store could not be read in time; retry shortly.",
    undefined,
    retry,
  );
}
