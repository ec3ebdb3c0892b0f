/**
 * The artifact decoder must refuse any bad bytes with an ArtifactError: never another
 * exception type, never a hang. Mutations are tried both as they come (the checksum
 * catches them) and re-signed, so the descriptor and section parser behind the checksum
 * are exercised too (a buggy trainer or a hand-edited file produces validly signed junk).
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { Packr, Unpackr } from "msgpackr";
import { beforeAll, describe, expect, it } from "vitest";
import { ArtifactError, FORMAT_VERSION, decodeArtifact, decodeManifest } from "../../../src/artifact/index.ts";
import { tinyArtifactBytes } from "./tiny-artifact.ts";

const RUNS = 300;
let valid: Uint8Array;

beforeAll(async () => {
  valid = await tinyArtifactBytes();
});

/** Rewrites the SHA-256 field so the mutated payload passes the checksum. */
function resign(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 48) bytes.set(createHash("sha256").update(bytes.subarray(48)).digest(), 16);
  return bytes;
}

/** Outcome of one decode: "ok", or the error class name when it is not an ArtifactError. */
async function decodeOutcome(bytes: Uint8Array): Promise<string> {
  try {
    await decodeArtifact(bytes);
    return "ok";
  } catch (err) {
    if (err instanceof ArtifactError) return "ok";
    return `${(err as Error)?.name}: ${(err as Error)?.message}`;
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant("u32" as const), at: fc.nat(), value: fc.oneof(fc.nat(), fc.constantFrom(0, 0xffffffff, 0x7fffffff, 0x80000000)) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: Uint8Array, mutations: Mutation[], minOffset: number): Uint8Array {
  let bytes = src.slice();
  for (const m of mutations) {
    const span = Math.max(1, bytes.length - minOffset);
    const at = minOffset + (m.at % span);
    if (m.kind === "set") bytes[at] = m.byte;
    else if (m.kind === "truncate") bytes = bytes.slice(0, at);
    else if (m.kind === "insert") {
      const out = new Uint8Array(bytes.length + m.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      bytes = out;
    } else if (at + 4 <= bytes.length) {
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, m.value, true);
    }
  }
  return bytes;
}

describe("artifact decoder under random and mutated bytes", () => {
  it("refuses random bytes with an ArtifactError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        expect(await decodeOutcome(bytes)).toBe("ok");
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses random bytes behind a valid magic, version and checksum", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.nat({ max: 5000 }), async (tail, descriptorLength) => {
        const bytes = new Uint8Array(52 + tail.length);
        bytes.set(valid.subarray(0, 16));
        new DataView(bytes.buffer).setUint32(48, descriptorLength, true);
        bytes.set(tail, 52);
        expect(await decodeOutcome(resign(bytes))).toBe("ok");
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses mutated artifacts (checksum untouched) with an ArtifactError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const bytes = mutate(valid, ms, 0);
        // Bytes 12..15 are the reserved word, outside the checksum by design.
        const changed = bytes.length !== valid.length || bytes.some((b, i) => b !== valid[i] && (i < 12 || i >= 16));
        if (!changed) return;
        await expect(decodeArtifact(bytes)).rejects.toBeInstanceOf(ArtifactError);
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws anything but an ArtifactError for re-signed mutations of the payload", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), async (ms) => {
        expect(await decodeOutcome(resign(mutate(valid, ms, 48)))).toBe("ok");
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("names a wrong format version, a truncation and a checksum mismatch", async () => {
    const wrongVersion = valid.slice();
    new DataView(wrongVersion.buffer).setUint32(8, FORMAT_VERSION + 1, true);
    await expect(decodeArtifact(wrongVersion)).rejects.toThrow(/format version 2 is not supported/);
    await expect(decodeArtifact(valid.slice(0, 30))).rejects.toThrow(/shorter than its/);
    await expect(decodeArtifact(valid.slice(0, valid.length - 1))).rejects.toThrow(/checksum mismatch/);
    const flipped = valid.slice();
    flipped[flipped.length - 3] ^= 0xff;
    await expect(decodeArtifact(flipped)).rejects.toThrow(/checksum mismatch/);
  });
});

/**
 * Structured mutations of the msgpack descriptor: the decoded object tree is edited at a
 * random path (a value replaced by junk, a key deleted, a section description bent), then
 * re-packed into a correctly framed and signed file with the original blob area.
 */
describe("artifact decoder under re-signed descriptor edits", () => {
  const packr = new Packr({ useRecords: false, moreTypes: false });
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

  function split(bytes: Uint8Array): { descriptor: unknown; blobArea: Uint8Array } {
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(48, true);
    const blobStart = (52 + len + 7) & ~7;
    return { descriptor: unpackr.unpack(bytes.subarray(52, 52 + len)), blobArea: bytes.slice(blobStart) };
  }

  function frame(descriptor: unknown, blobArea: Uint8Array): Uint8Array {
    const d = packr.pack(descriptor);
    const blobStart = (52 + d.length + 7) & ~7;
    const out = new Uint8Array(blobStart + blobArea.length);
    out.set(valid.subarray(0, 16));
    new DataView(out.buffer).setUint32(48, d.length, true);
    out.set(d, 52);
    out.set(blobArea, blobStart);
    return resign(out);
  }

  /** Every path in the tree, so an edit can target any node. */
  function paths(node: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    out.push(prefix);
    if (Array.isArray(node)) node.forEach((v, i) => paths(v, [...prefix, i], out));
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) paths(v, [...prefix, k], out);
    return out;
  }

  const junk = fc.oneof(
    fc.constantFrom(null, undefined, true, -1, 0, 1, 0.5, -0, 2 ** 32, NaN, Infinity, "", "Float32Array", "constructor", "__proto__", "toString"),
    fc.anything({ maxDepth: 2 }),
    fc.record({ $blob: fc.oneof(fc.integer({ min: -2, max: 80 }), fc.double()) }),
    fc.record({ type: fc.constantFrom("Float32Array", "Uint32Array", "Float64Array", "Map"), offset: fc.integer({ min: -8, max: 4096 }), length: fc.integer({ min: -1, max: 2 ** 31 }) }),
  );

  it("never throws anything but an ArtifactError", async () => {
    const { descriptor, blobArea } = split(valid);
    const all = paths(descriptor).filter((p) => p.length > 0);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.boolean(), junk, async (which, remove, value) => {
        const tree = structuredClone(descriptor) as Record<string | number, unknown>;
        const path = all[which % all.length];
        let parent: Record<string | number, unknown> = tree;
        for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
        const last = path[path.length - 1];
        if (remove) delete parent[last];
        else parent[last] = value;
        expect(await decodeOutcome(frame(tree, blobArea))).toBe("ok");
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("refuses a descriptor nested 100,000 levels deep without overflowing the stack", async () => {
    const { blobArea } = split(valid);
    // msgpack: 100k × fixarray(1) then nil.
    const deep = new Uint8Array(100_001).fill(0x91);
    deep[100_000] = 0xc0;
    const out = new Uint8Array(((52 + deep.length + 7) & ~7) + blobArea.length);
    out.set(valid.subarray(0, 16));
    new DataView(out.buffer).setUint32(48, deep.length, true);
    out.set(deep, 52);
    expect(await decodeOutcome(resign(out))).toBe("ok");
  });
});

describe("sharded manifest decoder under mutated bytes", () => {
  let manifest: Uint8Array;
  beforeAll(async () => {
    const { shardArtifact } = await import("../../../trainer/artifact/shard.ts");
    const { tinyArtifact } = await import("./tiny-artifact.ts");
    manifest = (await shardArtifact(tinyArtifact(), { maxShardBytes: 1024 * 1024 })).manifest;
    await decodeManifest(manifest);
  });

  async function manifestOutcome(bytes: Uint8Array): Promise<string> {
    try {
      await decodeManifest(bytes);
      return "ok";
    } catch (err) {
      return err instanceof ArtifactError ? "ok" : `${(err as Error)?.name}: ${(err as Error)?.message}`;
    }
  }

  it("never throws anything but an ArtifactError, re-signed or not", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean(), async (ms, sign) => {
        const bytes = mutate(manifest, ms, sign ? 48 : 0);
        expect(await manifestOutcome(sign ? resign(bytes) : bytes)).toBe("ok");
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("tells a manifest and an artifact apart", async () => {
    await expect(decodeManifest(valid)).rejects.toBeInstanceOf(ArtifactError);
    await expect(decodeArtifact(manifest)).rejects.toBeInstanceOf(ArtifactError);
  });
});
