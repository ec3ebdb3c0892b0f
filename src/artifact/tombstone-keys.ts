/**
 * Where "forget this shopper" tombstones live in KV: one key per shopper, shared by the worker
 * (which serves a tombstoned shopper as unknown) and the trainer (which drops their interactions).
 *
 *   forget/<encodeURIComponent(user id)>   {"forgottenAt": "<ISO time>"}
 */
export const FORGET_PREFIX = "forget/";

export interface Tombstone {
  forgottenAt: string;
}

export function tombstoneKey(userId: string): string {
  return FORGET_PREFIX + encodeURIComponent(userId);
}

/** The shopper id of a tombstone key, or undefined for a key that is not one. */
export function userOfTombstoneKey(key: string): string | undefined {
  if (!key.startsWith(FORGET_PREFIX)) return undefined;
  try {
    return decodeURIComponent(key.slice(FORGET_PREFIX.length));
  } catch {
    return undefined;
  }
}
