/**
 * Iterative k-core: repeatedly drops users and items with fewer than k interactions
 * until every remaining user and item has at least k. Returns which rows survive
 * and which users/items are left.
 */
export function kCoreFilter(
  users: Int32Array,
  items: Int32Array,
  nUsers: number,
  nItems: number,
  k: number,
): { keepRow: Uint8Array; keepUser: Uint8Array; keepItem: Uint8Array; rounds: number; removedUsers: number; removedItems: number; removedRows: number } {
  const n = users.length;
  const keepRow = new Uint8Array(n).fill(1);
  const userDeg = new Int32Array(nUsers);
  const itemDeg = new Int32Array(nItems);
  for (let r = 0; r < n; r++) {
    userDeg[users[r]]++;
    itemDeg[items[r]]++;
  }
  // Ids with no interaction at all are not part of the core either.
  const keepUser = new Uint8Array(nUsers);
  const keepItem = new Uint8Array(nItems);
  for (let u = 0; u < nUsers; u++) keepUser[u] = userDeg[u] > 0 ? 1 : 0;
  for (let i = 0; i < nItems; i++) keepItem[i] = itemDeg[i] > 0 ? 1 : 0;
  let rounds = 0;
  let removedRows = 0;
  for (let changed = true; changed && k > 1; ) {
    changed = false;
    rounds++;
    for (let r = 0; r < n; r++) {
      if (!keepRow[r]) continue;
      const u = users[r];
      const i = items[r];
      if (userDeg[u] < k || itemDeg[i] < k) {
        keepRow[r] = 0;
        removedRows++;
        userDeg[u]--;
        itemDeg[i]--;
        changed = true;
      }
    }
  }
  let removedUsers = 0;
  let removedItems = 0;
  for (let u = 0; u < nUsers; u++) {
    if (keepUser[u] && userDeg[u] < Math.max(k, 1)) {
      keepUser[u] = 0;
      removedUsers++;
    }
  }
  for (let i = 0; i < nItems; i++) {
    if (keepItem[i] && itemDeg[i] < Math.max(k, 1)) {
      keepItem[i] = 0;
      removedItems++;
    }
  }
  return { keepRow, keepUser, keepItem, rounds, removedUsers, removedItems, removedRows };
}
