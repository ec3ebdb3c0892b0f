/**
 * Reading what is published: the versions index and the `current` pointer, with the advice for
 * repairing an unreadable one. publish, rollback, gc and `edgerec versions` all read them.
 */
import { ARTIFACT_BUCKET, CURRENT_KEY, type CurrentPointer, isVersionId, type PublishedVersion, VERSIONS_KEY } from "../../src/artifact/index.ts";
import type { ObjectStore } from "./object-store.ts";

export async function readVersions(store: ObjectStore): Promise<PublishedVersion[]> {
  const bytes = await store.get(VERSIONS_KEY);
  if (!bytes) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = undefined;
  }
  const list = (parsed as { versions?: unknown } | null)?.versions;
  if (!Array.isArray(list) || !list.every((v) => typeof (v as PublishedVersion)?.version === "string" && Array.isArray((v as PublishedVersion).keys))) {
    throw new Error(
      `${VERSIONS_KEY} in ${store.name} is not a versions index; delete it (\`npx wrangler r2 object delete ${ARTIFACT_BUCKET}/${VERSIONS_KEY} --local\`, or \`--remote\`), then publish again: the next publish starts a new index`,
    );
  }
  return list as PublishedVersion[];
}

/** What is wrong with a `current` pointer's JSON, or null when it is a usable pointer. */
export function pointerProblem(value: unknown): string | null {
  if (value === null) return "it is null";
  if (typeof value !== "object" || Array.isArray(value)) return `it is ${Array.isArray(value) ? "an array" : `a ${typeof value}`}, not an object`;
  const p = value as Partial<CurrentPointer>;
  if (typeof p.version !== "string" || !isVersionId(p.version)) return "it has no valid `version`";
  if (typeof p.key !== "string" || !p.key) return "it has no `key`";
  if (p.layout !== "single" && p.layout !== "sharded") return "it has no `layout`";
  return null;
}

/** The `current` pointer: absent, usable, or unreadable with the reason (which publish and rollback <version> repair). */
export type CurrentState = { pointer: CurrentPointer | null; unreadable?: undefined } | { pointer: null; unreadable: string };

export async function readCurrentState(store: ObjectStore): Promise<CurrentState> {
  const bytes = await store.get(CURRENT_KEY);
  if (!bytes) return { pointer: null };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { pointer: null, unreadable: `${CURRENT_KEY} in ${store.name} is not valid JSON` };
  }
  const problem = pointerProblem(value);
  return problem ? { pointer: null, unreadable: `${CURRENT_KEY} in ${store.name} is not a pointer: ${problem}` } : { pointer: value as CurrentPointer };
}

/** The advice for an unreadable pointer (`where`: the store flag, e.g. --local): both commands rewrite it. */
export function pointerRepair(where = ""): string {
  const at = where ? ` ${where}` : "";
  return `repair it with \`edgerec rollback <version>${at}\` (\`edgerec versions${at}\` lists them) or \`edgerec publish <artifact>${at}\``;
}

export async function readCurrent(store: ObjectStore): Promise<CurrentPointer | null> {
  const state = await readCurrentState(store);
  if (state.unreadable) throw new Error(`${state.unreadable}; ${pointerRepair()}`);
  return state.pointer;
}
