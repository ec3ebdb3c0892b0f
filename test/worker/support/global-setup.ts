/**
 * Node-side setup for the worker tests: builds real artifacts once — with the trainer, which
 * needs Node — and serves their bytes from a loopback HTTP server for the tests running
 * inside workerd (vitest's provide/inject carries only the small index; artifacts are too
 * big for its messages). `trained` is the trainer's artifact from generated data; `sharded`
 * the same kind split into a manifest and shards; `v1`/`v2` small synthetic artifacts with
 * distinct versions for swap and A/B tests.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { encodeArtifact } from "../../../src/artifact/index.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { buildShardedArtifact, buildTrainedArtifact } from "./trained-artifact.ts";

export interface ProvidedArtifact {
  version: string;
  /** URL of the bytes on the setup's loopback server. */
  url: string;
}

export interface ProvidedTrained extends ProvidedArtifact {
  warmItem: string;
  coldItem: string | null;
  user: string;
}

export interface ProvidedSharded {
  version: string;
  manifestUrl: string;
  shardUrls: string[];
  /** Every item id, in the artifact's order (the build renumbers them across its item shards). */
  items: string[];
  user: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    artifacts: { v1: ProvidedArtifact; v2: ProvidedArtifact; trained: ProvidedTrained | null; sharded: ProvidedSharded | null; trainedNote: string };
  }
}

const V1 = "20261129T000100Z-0000aaa1";
const V2 = "20261129T000200Z-0000bbb2";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const blobs = new Map<string, Uint8Array>();
  const server = createServer((req, res) => {
    const blob = blobs.get(req.url ?? "");
    if (!blob) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.byteLength }).end(blob);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const host = (name: string, bytes: Uint8Array) => {
    blobs.set(`/${name}`, bytes);
    return `${base}/${name}`;
  };

  const synthetic = async (version: string, seed: number): Promise<ProvidedArtifact> => ({
    version,
    url: host(`${version}.bin`, await encodeArtifact(syntheticArtifact({ items: 400, users: 80, seed, version }))),
  });
  const [v1, v2] = await Promise.all([synthetic(V1, 1), synthetic(V2, 2)]);

  let trained: ProvidedTrained | null = null;
  let sharded: ProvidedSharded | null = null;
  let trainedNote = "";
  try {
    const { bytes, ...rest } = await buildTrainedArtifact();
    trained = { ...rest, url: host("trained.bin", bytes) };
  } catch (err) {
    trainedNote = `building the trained artifact failed: ${(err as Error).message}`;
  }
  try {
    const s = await buildShardedArtifact();
    sharded = {
      version: s.version,
      manifestUrl: host("sharded/manifest.bin", s.manifest),
      shardUrls: s.shards.map((b, i) => host(`sharded/shard-${i}.bin`, b)),
      items: s.items,
      user: s.user,
    };
  } catch (err) {
    trainedNote ||= `building the sharded artifact failed: ${(err as Error).message}`;
  }
  project.provide("artifacts", { v1, v2, trained, sharded, trainedNote });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
