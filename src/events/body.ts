/**
 * Reads an event request body into a list of raw values, one per event, whatever the framing:
 * a JSON object (one event), a JSON array, NDJSON (one JSON value a line), or text/plain — what
 * `navigator.sendBeacon(url, string)` sends — holding either. An NDJSON line that is not JSON
 * becomes a rejected event at its index, so one bad line never costs the others.
 */
import { readLimited, tooLarge } from "../http/body.ts";
import { ProblemError } from "../http/problem.ts";
import { MAX_EVENTS_PER_REQUEST } from "./schema.ts";

export type RawEvent = { value: unknown } | { malformed: string };

const decoder = new TextDecoder("utf-8", { fatal: true });

const tooMany = (n: number) =>
  new ProblemError(413, "too-many-events", "Too many events", `The request holds ${n} events; send at most ${MAX_EVENTS_PER_REQUEST} per request.`);

const malformed = (detail: string) => new ProblemError(400, "malformed-body", "Malformed event body", detail);

export function framingOf(contentType: string): "json" | "ndjson" | "text" | null {
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (type === "application/json" || /^application\/[\w.-]+\+json$/.test(type)) return "json";
  if (type === "application/x-ndjson" || type === "application/ndjson" || type === "application/jsonl" || type === "application/jsonlines") return "ndjson";
  if (type === "text/plain" || type === "") return "text";
  return null;
}

export async function readEventBody(request: Request, limit: number): Promise<RawEvent[]> {
  const framing = framingOf(request.headers.get("content-type") ?? "");
  if (framing === null) {
    throw new ProblemError(
      415,
      "unsupported-media-type",
      "Unsupported media type",
      "Send events as application/json (one event or an array), application/x-ndjson, or text/plain holding either.",
    );
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) throw malformed("The request body is empty; send one event, an array of events or NDJSON.");
  let text: string;
  try {
    text = decoder.decode(await readLimited(request.body, limit));
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw malformed("The request body is not valid UTF-8.");
  }
  const trimmed = text.trim();
  if (trimmed === "") throw malformed("The request body is empty; send one event, an array of events or NDJSON.");
  if (framing === "json" || (framing === "text" && looksLikeOneJsonValue(trimmed))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      if (framing === "json") throw malformed("The request body is not valid JSON; send one event object or an array of them.");
      return ndjson(trimmed);
    }
    if (Array.isArray(parsed)) {
      if (parsed.length > MAX_EVENTS_PER_REQUEST) throw tooMany(parsed.length);
      if (parsed.length === 0) throw malformed("The array holds no events.");
      return parsed.map((value) => ({ value }));
    }
    return [{ value: parsed }];
  }
  return ndjson(trimmed);
}

/** A body that is a single JSON value (an object, or an array) rather than several lines of them. */
function looksLikeOneJsonValue(text: string): boolean {
  return text[0] === "[" || (text[0] === "{" && text.indexOf("\n") < 0);
}

function ndjson(text: string): RawEvent[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length > MAX_EVENTS_PER_REQUEST) throw tooMany(lines.length);
  return lines.map((line) => {
    try {
      return { value: JSON.parse(line) };
    } catch {
      return { malformed: `line is not valid JSON: ${line.trim().slice(0, 60)}` };
    }
  });
}
