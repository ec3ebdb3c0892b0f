/**
 * Publishing inside workerd tests: writes an artifact object and then flips the `current`
 * pointer, the same two steps (and keys) `edgerec publish` uses.
 */
import { artifactKey, CURRENT_KEY } from "../../../src/artifact/index.ts";
import { pointerFor } from "./helpers.ts";

export async function putVersion(bucket: R2Bucket, version: string, bytes: Uint8Array): Promise<string> {
  const key = artifactKey(version);
  await bucket.put(key, bytes);
  return key;
}

export async function flipCurrent(bucket: R2Bucket, version: string, bytes = 0): Promise<void> {
  await bucket.put(CURRENT_KEY, JSON.stringify(pointerFor(version, bytes)));
}

export async function publish(bucket: R2Bucket, version: string, bytes: Uint8Array): Promise<void> {
  await putVersion(bucket, version, bytes);
  await flipCurrent(bucket, version, bytes.byteLength);
}

/** Version ids as the trainer makes them: UTC time + 8 hex digits. */
export function versionId(n: number): string {
  return `20261129T00${String(n % 10000).padStart(4, "0")}Z-${(0x1a2b3c00 + n).toString(16).padStart(8, "0")}`;
}

/** Checks a non-2xx response is an RFC 9457 problem that leaks nothing internal. */
export async function expectProblem(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (!res.headers.get("content-type")?.startsWith("application/problem+json")) {
    throw new Error(`status ${res.status} is not problem JSON: ${res.headers.get("content-type")} ${text.slice(0, 200)}`);
  }
  const body = JSON.parse(text) as Record<string, unknown>;
  if (body.status !== res.status || typeof body.title !== "string" || typeof body.detail !== "string" || typeof body.type !== "string") {
    throw new Error(`malformed problem: ${text.slice(0, 300)}`);
  }
  if (LEAK.test(text)) throw new Error(`problem body leaks internals: ${text.slice(0, 300)}`);
  return body;
}

/** Stack frames, source paths and engine error names never belong in a response body. */
export const LEAK = /\bat [\w.<>$]+ \(|\.ts:\d+|\/work\/|node_modules|file:\/\/|TypeError|RangeError|ReferenceError|SyntaxError: (?!.*JSON)/;
