/**
 * Values a reader accepted that still look wrong, found once a file is read (the rating scale is
 * a property of the whole file): a rating outside the file's scale (given with --rating-scale, or
 * inferred) is rejected with its line; a time in the future or before 1970 is dropped from its
 * row (kept) and flagged. Both count towards --max-error-ratio.
 */
import type { InteractionBuffer } from "./id-space.ts";
import type { ReportBuilder } from "./report.ts";

/** Rating scales seen in practice, narrowest first: the inferred scale is the first that holds the data. */
const SCALES: readonly [number, number][] = [
  [0, 1],
  [1, 5],
  [0.5, 5],
  [0, 5],
  [1, 10],
  [0, 10],
  [1, 100],
  [0, 100],
];
/** Ratings needed to infer a scale, and the share at each end left out (the values being judged). */
const MIN_RATINGS_TO_INFER = 20;
const TAIL = 0.01;
const YEAR_S = 366 * 24 * 3600;

/** The narrowest known scale holding the central 98% of the ratings in [from, to), or undefined. */
export function inferRatingScale(ratings: Float32Array, from: number, to: number): [number, number] | undefined {
  const values: number[] = [];
  for (let k = from; k < to; k++) if (Number.isFinite(ratings[k])) values.push(ratings[k]);
  if (values.length < MIN_RATINGS_TO_INFER) return undefined;
  values.sort((a, b) => a - b);
  const lo = values[Math.floor(TAIL * (values.length - 1))];
  const hi = values[Math.ceil((1 - TAIL) * (values.length - 1))];
  return SCALES.find(([min, max]) => min <= lo && hi <= max);
}

const fmt = (x: number) => String(Math.round(x * 1000) / 1000);

/**
 * Checks the rows [from, buf.length) one file added: rejects out-of-scale ratings (compacting the
 * buffer) and drops implausible times. `nowS` is the current unix time in seconds.
 */
export function checkSuspicious(buf: InteractionBuffer, from: number, report: ReportBuilder, options: { ratingScale?: [number, number]; nowS?: number } = {}): void {
  const to = buf.length;
  const scale = options.ratingScale ?? inferRatingScale(buf.ratings, from, to);
  const how = options.ratingScale ? "--rating-scale" : "inferred from the file; pass --rating-scale min:max if it is wrong";
  const latest = (options.nowS ?? Date.now() / 1000) + YEAR_S;
  let w = from;
  for (let k = from; k < to; k++) {
    const rating = buf.ratings[k];
    const line = buf.lines[k];
    if (scale && Number.isFinite(rating) && (rating < scale[0] || rating > scale[1])) {
      report.reject(line, `rating ${fmt(rating)} is outside the ${fmt(scale[0])}–${fmt(scale[1])} scale (${how})`);
      report.accepted--;
      continue;
    }
    const time = buf.times[k];
    if (Number.isFinite(time) && (time < 0 || time > latest)) {
      const year = new Date(time * 1000).getUTCFullYear();
      report.flag(line, `time ${fmt(time)} (year ${Number.isFinite(year) ? year : "?"}) is ${time < 0 ? "before 1970" : "in the future"}; kept without time`);
      buf.times[k] = NaN;
    }
    if (w !== k) {
      buf.users[w] = buf.users[k];
      buf.items[w] = buf.items[k];
      buf.ratings[w] = buf.ratings[k];
      buf.times[w] = buf.times[k];
      buf.lines[w] = buf.lines[k];
    }
    w++;
  }
  buf.length = w;
}
