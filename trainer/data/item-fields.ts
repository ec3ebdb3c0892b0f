/**
 * Cleaning of catalogue text fields. Scraped catalogues (Amazon 2018 Magazine
 * metadata) carry HTML fragments as titles and CSS/JS text as prices; such values
 * are dropped from the item (and counted) instead of reaching the widget. Entities are decoded
 * before markup is looked for, so `&lt;img onerror=…&gt;` is caught like `<img onerror=…>`.
 */
import { safeImage, safeLink } from "../../src/artifact/index.ts";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

export function decodeEntities(s: string): string {
  if (s.indexOf("&") === -1) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8}|#39);/g, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

/** Text without tags or tag fragments (entities kept), whitespace collapsed. */
export function stripTags(s: string): string {
  let t = s;
  if (/[<>]/.test(t)) {
    t = t
      .replace(/<(script|style)\b[\s\S]*?(<\/\1\s*>|$)/gi, " ")
      .replace(/<!--[\s\S]*?(-->|$)/g, " ")
      .replace(/<\/?[a-zA-Z!][^>]*>/g, " ")
      // An unclosed tag cut off at the end: `<span class="a-size-medium"`.
      .replace(/<\/?[a-zA-Z!][^>]*$/, " ")
      // The tail of a tag whose start was cut off: ` Magazines" />`.
      .replace(/^[^<>]*?["']\s*\/?>/, " ");
  }
  return t.replace(/\s+/g, " ").trim();
}

/**
 * Entities decoded until none is left (so `&amp;lt;` cannot smuggle a `<` past one decode):
 * always before tags are looked for.
 */
export function decodeFully(s: string): string {
  let t = s;
  for (let pass = 0; pass < 4; pass++) {
    const next = decodeEntities(t);
    if (next === t) break;
    t = next;
  }
  return t;
}

/** Text without entities, tags or tag fragments (decoded first), whitespace collapsed. */
export function stripHtml(s: string): string {
  return stripTags(decodeFully(s));
}

/**
 * Markup or style sheet text left in a value, which no clean title contains. A bare `<` or `>`
 * is text ("Warranty >>> THT"); a `<` opening a tag name, `!` or `/` is markup.
 */
export function looksLikeMarkup(s: string): boolean {
  return /<[a-zA-Z!\/]|="|\{[^}]*:[^}]*\}|^\s*[.#][\w-]+\s*\{|function\s*\(|var\s+\w+\s*=/.test(s);
}

/** A usable title, or undefined with the reason it was refused. */
export function cleanTitle(raw: unknown): { value?: string; problem?: string } {
  if (typeof raw !== "string") return raw === undefined || raw === null ? {} : { problem: `title is a ${typeof raw}, not text` };
  if (raw.trim() === "") return {};
  const decoded = decodeFully(raw);
  const hadMarkup = /[<>]/.test(decoded);
  const t = stripTags(decoded);
  if (t === "" || looksLikeMarkup(t) || (hadMarkup && t.length < 2)) return { problem: `title ${JSON.stringify(raw.slice(0, 60))} is an HTML fragment` };
  return { value: t };
}

/** Plain text from a string or list of strings (descriptions), markup removed. */
export function cleanText(raw: unknown, maxLength = 5000): string | undefined {
  const parts = Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string") : typeof raw === "string" ? [raw] : [];
  const t = stripTags(decodeFully(parts.join("\n")));
  if (t === "" || (looksLikeMarkup(t) && t.length < 40)) return undefined;
  return t.length > maxLength ? t.slice(0, maxLength) : t;
}

/**
 * A price from "$25.00", "25", "$1,299.99", "$10.99 - $15.99" (the low end) or a number.
 * "" and absent values are simply missing; anything else (CSS text…) is a problem.
 */
export function parsePrice(raw: unknown): { value?: number; problem?: string } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw === "number") return Number.isFinite(raw) && raw >= 0 ? { value: raw } : { problem: `price ${raw} is not a valid amount` };
  if (typeof raw !== "string") return { problem: `price is a ${typeof raw}, not text` };
  const s = raw.trim();
  if (s === "") return {};
  const m = /^(?:[$€£]|USD|EUR)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*-\s*(?:[$€£])?\s*[\d,]+(?:\.\d+)?)?$/.exec(s);
  if (!m) return { problem: `price ${JSON.stringify(s.slice(0, 50))} is not a price` };
  const v = Number(m[1].replace(/,/g, "") + (m[2] ?? ""));
  return Number.isFinite(v) ? { value: v } : { problem: `price ${JSON.stringify(s.slice(0, 50))} is not a price` };
}

/**
 * An image or product URL the worker may hand out (src/artifact/safe-url.ts: http(s), and inline
 * image data for images); anything else (`javascript:`, `data:text/html`…) is dropped and reported.
 */
export function checkedUrl(raw: string | undefined, field: "image" | "url", fieldProblem: (reason: string) => void): string | undefined {
  if (raw === undefined) return undefined;
  const safe = field === "image" ? safeImage(raw) : safeLink(raw);
  if (!safe) fieldProblem(`${field} ${JSON.stringify(raw.slice(0, 60))} is not an http(s) ${field === "image" ? "or inline image " : ""}URL; dropped`);
  return safe || undefined;
}

/** The first non-empty string of a string or list (image fields). */
export function firstString(raw: unknown): string | undefined {
  if (typeof raw === "string") return raw.trim() || undefined;
  if (Array.isArray(raw)) for (const x of raw) if (typeof x === "string" && x.trim()) return x.trim();
  return undefined;
}

/** A list of id strings from a list value (also_buy…), ignoring non-strings. */
export function idList(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out = raw.filter((x) => typeof x === "string" || typeof x === "number").map(String).filter((x) => x !== "");
  return out.length > 0 ? out : undefined;
}

/**
 * An unordered attribute set from a list or a "a|b|c" / "a;b" / "a,b" string (JSON lists
 * accepted): markup dropped, each attribute once, order of first appearance.
 */
export function attributeSet(raw: unknown): string[] | undefined {
  let list: unknown[];
  if (Array.isArray(raw)) list = raw.flat(2);
  else if (typeof raw === "number") list = [raw];
  else if (typeof raw === "string" && raw.trim() !== "") {
    const s = raw.trim();
    if (s.startsWith("[")) {
      try {
        return attributeSet(JSON.parse(s));
      } catch {
        /* not JSON: split on separators */
      }
    }
    list = s.split(/[|;,]/);
  } else return undefined;
  const out = new Set<string>();
  for (const x of list) {
    if (typeof x !== "string" && typeof x !== "number") continue;
    const t = decodeEntities(stripTags(String(x))).trim();
    if (t && !looksLikeMarkup(t)) out.add(t);
  }
  return out.size > 0 ? [...out] : undefined;
}

/** A category path from a list of names, cleaned of markup and empty or repeated entries. */
export function categoryPath(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  for (const x of raw) {
    if (typeof x !== "string") continue;
    const t = stripTags(decodeFully(x));
    if (t && !looksLikeMarkup(t)) out.push(t);
  }
  return out.length > 0 ? out : undefined;
}
