/**
 * Checks raw events one by one against the Event schema and turns the good ones into stored
 * records: server receive time, the event time (the client's when plausible), and an id that
 * makes re-sends idempotent. A bad event is a problem at its index; it never affects the rest.
 */
import type { StoredEvent } from "../artifact/index.ts";
import type { ProblemField } from "../http/problem.ts";
import { issuesToFields } from "../routes/define.ts";
import type { RawEvent } from "./body.ts";
import { EventInput, MAX_EVENT_AGE_MS, MAX_EVENT_SKEW_MS } from "./schema.ts";

export interface EventProblem {
  index: number;
  errors: ProblemField[];
}

export interface Validated {
  accepted: StoredEvent[];
  problems: EventProblem[];
}

export function validateEvents(raw: readonly RawEvent[], now: number, newId: () => string): Validated {
  const accepted: StoredEvent[] = [];
  const problems: EventProblem[] = [];
  for (let index = 0; index < raw.length; index++) {
    const where = `body[${index}]`;
    const entry = raw[index];
    if ("malformed" in entry) {
      problems.push({ index, errors: [{ location: where, message: entry.malformed }] });
      continue;
    }
    const result = EventInput.safeParse(entry.value);
    if (!result.success) {
      problems.push({ index, errors: issuesToFields(where, result.error.issues) });
      continue;
    }
    const e = result.data;
    let ts = now;
    if (e.ts !== undefined) {
      ts = typeof e.ts === "number" ? e.ts : Date.parse(e.ts);
      if (!(ts >= now - MAX_EVENT_AGE_MS && ts <= now + MAX_EVENT_SKEW_MS)) {
        problems.push({
          index,
          errors: [{ location: `${where}.ts`, message: "must be within the last 7 days and at most 10 minutes ahead of the server's clock (epoch ms or ISO 8601)" }],
        });
        continue;
      }
    }
    const stored: StoredEvent = {
      id: e.id !== undefined ? `c:${e.user ?? ""}:${e.session ?? ""}:${e.id}` : newId(),
      type: e.type,
      item: e.item,
      ts,
      receivedAt: now,
    };
    if (e.user !== undefined) stored.user = e.user;
    if (e.session !== undefined) stored.session = e.session;
    if (e.recId !== undefined) stored.recId = e.recId;
    if (e.variant !== undefined) stored.variant = e.variant;
    if (e.placement !== undefined) stored.placement = e.placement;
    if (e.position !== undefined) stored.position = e.position;
    if (e.price !== undefined) stored.price = e.price;
    if (e.quantity !== undefined) stored.quantity = e.quantity;
    if (e.rating !== undefined) stored.rating = e.rating;
    accepted.push(stored);
  }
  return { accepted, problems };
}
