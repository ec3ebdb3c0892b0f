/**
 * The A/B treatment versions one isolate serves beside the current one: each loaded once, kept
 * while the isolate lives, and remembered as failed when it does not load (the control serves
 * those shoppers instead). A request never waits on another request's load (see in-flight.ts):
 * while one is loading a version, the others are answered from the control.
 */
import { artifactKey, manifestKey } from "../artifact/index.ts";
import type { Catalog } from "./catalog.ts";
import { InFlight } from "./in-flight.ts";
import type { ArtifactSource } from "./source.ts";
import { messageOf } from "./store-error.ts";
import { withTimeout } from "./timeout.ts";

/** The treatment as /healthz reports it. */
export interface VariantStatus {
  version: string;
  share: number;
  status: "ok" | "loading" | "failed";
  error?: string;
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** Loads one version named by its layout and key (the store's loader, shared with the pointer's versions). */
export type VersionLoader = (source: ArtifactSource, pointer: { version: string; key: string; layout: "single" | "sharded" }) => Promise<Catalog>;

export class Variants {
  private readonly ready = new Map<string, Catalog>();
  private readonly errors = new Map<string, string>();
  private readonly working = new InFlight<string>();

  constructor(private readonly loadVersion: VersionLoader) {}

  /** `version` when it is loaded (undefined otherwise). */
  loaded(version: string): Catalog | undefined {
    return this.ready.get(version);
  }

  /**
   * Starts loading `version` inside this request unless it failed before or another request is
   * loading it (null then). The answer waits at most `waitMs` (null when it takes longer or fails);
   * the load itself runs on in the request's waitUntil.
   */
  load(sourceOf: () => ArtifactSource, version: string, waitMs: number, ctx?: () => WaitUntil | undefined): Promise<Catalog | null> | null {
    if (this.errors.has(version)) return null;
    if (this.working.busy(version, waitMs)) return null;
    const token = this.working.begin(version);
    const load = this.loadAbVersion(sourceOf(), version).then(
      (catalog) => {
        this.ready.set(version, catalog);
        return catalog;
      },
      (err) => {
        this.errors.set(version, messageOf(err));
        return null;
      },
    ).finally(() => this.working.end(version, token));
    const bounded = withTimeout(load, waitMs, `artifact ${version}`).catch(() => null);
    ctx?.()?.waitUntil(load);
    return bounded;
  }

  /** The treatment `version` on `share` of shoppers, for /healthz (`served`: the version the pointer names). */
  status(version: string, share: number, served: Catalog | null): VariantStatus {
    const error = this.errors.get(version);
    return {
      version,
      share,
      status: this.ready.has(version) || served?.version === version ? "ok" : error ? "failed" : "loading",
      ...(error ? { error } : {}),
    };
  }

  /** An A/B treatment version: single artifact, or a sharded one when only its manifest exists. */
  private async loadAbVersion(source: ArtifactSource, version: string): Promise<Catalog> {
    if ((await source.missing([artifactKey(version)])).length === 0) return this.loadVersion(source, { version, key: artifactKey(version), layout: "single" });
    return this.loadVersion(source, { version, key: manifestKey(version), layout: "sharded" });
  }
}
