/** `--since 90d | 12h | 2026-11-01`: the earliest event time wanted, in epoch milliseconds. */
import { InputError } from "../data/types.ts";

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseSince(text: string | undefined, now = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  const rel = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(text.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2].toLowerCase()];
  const abs = Date.parse(text);
  if (Number.isFinite(abs)) return abs;
  throw new InputError(`--since must be a duration like 90d, 12h, 30m, 2w or a date like 2026-11-01, got ${JSON.stringify(text)}`);
}
