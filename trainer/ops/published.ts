import { readFile } from "node:fs/promises";
import { ARTIFACT_BUCKET, CURRENT_KEY, type CurrentPointer } from "../../src/artifact/keys.ts";
import { readArtifactHeader } from "./artifact-header.ts";
import { runWrangler } from "./edgerec-cli.ts";
import type { PublishedMetrics } from "./gate.ts";

export type PublishedSource =
  | { kind: "local"; persistDir?: string }
  | { kind: "remote" }
  /** An artifact file standing for the published version (offline checks, tests). */
  | { kind: "artifact"; path: string }
  /** A saved copy of the `current` pointer JSON. */
  | { kind: "pointer"; path: string };

/**
 * What is published now, as the gate needs it: the `current` pointer repeats the live
 * artifact's header metrics, so one small read answers (no artifact download).
 * null when nothing has been published.
 */
export async function readPublishedMetrics(source: PublishedSource): Promise<PublishedMetrics | null> {
  switch (source.kind) {
    case "artifact": {
      const h = await readArtifactHeader(source.path);
      return { version: h.version, headlineMetric: h.headlineMetric, metrics: h.metrics };
    }
    case "pointer":
      return pointerMetrics(JSON.parse(await readFile(source.path, "utf8")) as CurrentPointer, source.path);
    case "local":
    case "remote": {
      const where = source.kind === "local" ? ["--local", ...(source.persistDir ? ["--persist-to", source.persistDir] : [])] : ["--remote"];
      let text: string;
      try {
        text = await runWrangler(["r2", "object", "get", `${ARTIFACT_BUCKET}/${CURRENT_KEY}`, "--pipe", ...where], { capture: true, quietErrors: true });
      } catch (err) {
        const message = (err as Error & { stderr?: string }).stderr ?? (err as Error).message;
        if (/does not exist|NoSuchKey|not found/i.test(message)) return null;
        throw new Error(`cannot read the published version's pointer (${source.kind}): ${message.trim().split("\n")[0]}`);
      }
      return pointerMetrics(JSON.parse(text) as CurrentPointer, `${source.kind} ${CURRENT_KEY}`);
    }
  }
}

function pointerMetrics(p: CurrentPointer, where: string): PublishedMetrics {
  if (!p || typeof p.version !== "string") throw new Error(`${where} is not a valid \`current\` pointer (no version)`);
  return { version: p.version, headlineMetric: p.headlineMetric ?? "", metrics: p.metrics ?? {} };
}
