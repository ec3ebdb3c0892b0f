/**
 * Where a training run reads the forgotten shoppers from (`--forget-from`): the same tombstones
 * the worker honours, so a shopper forgotten in production is dropped from the next artifact.
 */
import { existsSync } from "node:fs";
import { parseDeployEnv, requireGeneratedConfig } from "../wrangler/generated-config.ts";
import { InputError } from "../data/types.ts";
import type { TombstoneSource } from "./tombstones.ts";

/**
 * `local` (wrangler's local KV, default .wrangler/state), `local:<dir>` (another --persist-to),
 * `remote` or `remote:<staging|production>` (the KV namespace `edgerec deploy` set up), or the
 * path of a list written by `edgerec forget --export`.
 */
export function parseForgetFrom(value: string): TombstoneSource {
  if (value === "local") return { kind: "local" };
  if (value.startsWith("local:")) return { kind: "local", persistTo: value.slice("local:".length) };
  if (value === "remote" || value.startsWith("remote:")) {
    const env = parseDeployEnv(value === "remote" ? "production" : value.slice("remote:".length));
    return { kind: "remote", config: requireGeneratedConfig(env).config };
  }
  if (!existsSync(value)) {
    throw new InputError(
      `--forget-from: ${JSON.stringify(value)} is neither local, local:<dir>, remote, remote:<env> nor an existing file`,
      value,
      undefined,
      "pass a list written by `edgerec forget --export <file>`, or where the tombstones live",
    );
  }
  return { kind: "file", path: value };
}
