/** String tables: many strings in one UTF-8 blob, read lazily, with an optional sorted index for lookup. */
/** Strings stored as one UTF-8 blob: string i is data[offsets[i] .. offsets[i+1]). */
export interface StringTable {
  data: Uint8Array;
  offsets: Uint32Array;
  /** Indexes sorted by the strings' UTF-8 bytes, for lookup by binary search (no Map to build). */
  sorted?: Uint32Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds a StringTable (with the sorted index when `sortable`). */
export function stringTable(strings: readonly string[], sortable = false): StringTable {
  const encoded = strings.map((s) => encoder.encode(s ?? ""));
  const offsets = new Uint32Array(strings.length + 1);
  let total = 0;
  encoded.forEach((e, i) => {
    total += e.length;
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((e, i) => data.set(e, offsets[i]));
  const table: StringTable = { data, offsets };
  if (sortable) {
    const order = Array.from({ length: strings.length }, (_, i) => i);
    order.sort((a, b) => compareBytes(encoded[a], encoded[b]));
    table.sorted = Uint32Array.from(order);
  }
  return table;
}

export function stringAt(table: StringTable, i: number): string {
  return decoder.decode(table.data.subarray(table.offsets[i], table.offsets[i + 1]));
}

export function stringCountOf(table: StringTable): number {
  return table.offsets.length - 1;
}

/** Index of `value` in a sortable table, or -1. O(log n), allocation-free but for the key. */
export function indexOfString(table: StringTable, value: string): number {
  const sorted = table.sorted;
  if (!sorted) throw new Error("string table has no sorted index");
  const key = encoder.encode(value);
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const idx = sorted[mid];
    const c = compareBytes(table.data.subarray(table.offsets[idx], table.offsets[idx + 1]), key);
    if (c === 0) return idx;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function stringCount(t: StringTable | undefined): number {
  return t && t.offsets ? t.offsets.length - 1 : -1;
}

// stringCount (-1 for a missing table) serves the decoders' shape checks in this folder; index.ts does not re-export it.
export { stringCount };
