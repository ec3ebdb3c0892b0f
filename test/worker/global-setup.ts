/**
 * Node-side setup for the worker tests: builds real artifacts once and hands their bytes to
 * the tests running inside workerd (via vitest's provide/inject), since the trainer's
 * builder needs Node. `trained` comes from the trainer (generated store → model → artifact);
 * `v1`/`v2` are small synthetic artifacts with distinct versions for swap and A/B tests.
 */
import type { TestProject } from "vitest/node";
import { encodeArtifact } from "../../src/artifact/format.ts";
import { syntheticArtifact } from "./fixtures/synthetic-artifact.ts";
import { buildTrainedArtifact } from "./fixtures/trained-artifact.ts";

export interface ProvidedArtifact {
  version: string;
  base64: string;
}

export interface ProvidedTrained extends ProvidedArtifact {
  warmItem: string;
  coldItem: string | null;
  user: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    artifacts: { v1: ProvidedArtifact; v2: ProvidedArtifact; trained: ProvidedTrained | null; trainedNote: string };
  }
}

const V1 = "20261129T000100Z-0000aaa1";
const V2 = "20261129T000200Z-0000bbb2";

async function synthetic(version: string, seed: number): Promise<ProvidedArtifact> {
  const bytes = await encodeArtifact(syntheticArtifact({ items: 400, users: 80, seed, version }));
  return { version, base64: Buffer.from(bytes).toString("base64") };
}

export default async function setup(project: TestProject): Promise<void> {
  const [v1, v2] = await Promise.all([synthetic(V1, 1), synthetic(V2, 2)]);
  let trained: ProvidedTrained | null = null;
  let trainedNote = "";
  try {
    const { bytes, ...rest } = await buildTrainedArtifact();
    trained = { ...rest, base64: Buffer.from(bytes).toString("base64") };
  } catch (err) {
    trainedNote = `building the trained artifact failed: ${(err as Error).message}`;
  }
  project.provide("artifacts", { v1, v2, trained, trainedNote });
}
