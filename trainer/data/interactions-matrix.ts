import { csrFromCoo, type CsrMatrix } from "./matrix.ts";
import type { Interactions } from "./types.ts";

export type MatrixValues =
  /** Every interaction counts 1 (implicit feedback). */
  | { kind: "ones" }
  /** The rating itself (NaN ratings become 1). */
  | { kind: "rating" }
  /** +1 when rating >= threshold, else -1 (logistic classification); NaN ratings count as +1. */
  | { kind: "labels"; threshold: number }
  /** Only interactions with rating >= threshold, each as 1 (e.g. ML "positives are 4+"). */
  | { kind: "positives"; threshold: number };

/** users × items CSR from interactions (already one entry per pair). */
export function interactionsToCsr(x: Interactions, values: MatrixValues = { kind: "ones" }): CsrMatrix {
  const nUsers = x.userIds.length;
  const nItems = x.itemIds.length;
  const n = x.users.length;
  if (values.kind === "positives") {
    const rows: number[] = [];
    const cols: number[] = [];
    for (let k = 0; k < n; k++) {
      const r = x.ratings[k];
      if (Number.isNaN(r) || r >= values.threshold) {
        rows.push(x.users[k]);
        cols.push(x.items[k]);
      }
    }
    return csrFromCoo(nUsers, nItems, Int32Array.from(rows), Int32Array.from(cols), undefined, "last");
  }
  const data = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const r = x.ratings[k];
    if (values.kind === "ones") data[k] = 1;
    else if (values.kind === "rating") data[k] = Number.isNaN(r) ? 1 : r;
    else data[k] = Number.isNaN(r) || r >= values.threshold ? 1 : -1;
  }
  return csrFromCoo(nUsers, nItems, x.users, x.items, data, "last");
}
