import { peekLines, type TextEncoding } from "./source.ts";
import { normaliseName, splitFields } from "./delimited.ts";
import type { InteractionFormat, ItemsFormat } from "./spec.ts";
import { InputError } from "./types.ts";

function firstObject(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Guesses an interaction file's format from its first lines. */
export async function sniffInteractionFormat(file: string, encoding: TextEncoding = "utf8"): Promise<Exclude<InteractionFormat, "auto">> {
  const lines = await peekLines(file, 5, encoding);
  const first = (lines[0] ?? "").trimStart();
  if (first.startsWith("{")) {
    const obj = first.startsWith("{'") ? undefined : firstObject(first);
    const looksLikeMeta = obj ? !("reviewerID" in obj) && "asin" in obj && ("title" in obj || "also_buy" in obj || "category" in obj || "categories" in obj) : /^\{'asin'|'categories'|'related'/.test(first) && !first.includes("'reviewerID'");
    if (looksLikeMeta) {
      throw new InputError("this looks like product metadata (asin without reviewerID), not interactions", file, 1, "pass it with --items, and the reviews file with --interactions");
    }
    return "amazon-reviews";
  }
  const header = splitFields(first, ",").map((h) => h.trim().toLowerCase());
  if (header.includes("userid") && header.includes("itemid") && (header.includes("rating") || header.includes("id") || header.includes("overall"))) {
    return "competition-csv";
  }
  return "delimited";
}

/** Guesses an item metadata file's format from its first lines. */
export async function sniffItemsFormat(file: string, encoding: TextEncoding = "utf8"): Promise<Exclude<ItemsFormat, "auto">> {
  const lines = await peekLines(file, 5, encoding === "utf8" ? "latin1" : encoding);
  const first = (lines[0] ?? "").trimStart();
  if (first.startsWith("{'")) return "amazon-meta";
  if (first.startsWith("{")) {
    const obj = firstObject(first);
    return obj && "asin" in obj ? "amazon-meta" : "json";
  }
  if (first.startsWith("[")) return "json";
  const header = splitFields(first, ",").map(normaliseName);
  if (header.includes("icategory") || header.includes("rcomplement") || header.includes("rsubstitute")) return "rechorus-meta";
  if (/^\d+::[^:]/.test(first) && first.split("::").length === 3) return "movielens-item";
  const pipe = first.split("|");
  if (pipe.length >= 24 && pipe.slice(-19).every((f) => f === "0" || f === "1")) return "movielens-item";
  return "csv";
}
