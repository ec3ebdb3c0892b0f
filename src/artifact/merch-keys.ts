/**
 * Where the live catalogue overlay and the merchandising rules live in KV: the one module the
 * worker and the CLI share, so they never disagree on a key.
 *
 *   merch/head.json      { overlay, rules }: the two documents' versions, written last, so an
 *                        isolate re-reads a (possibly large) document only when it changed
 *   merch/overlay.json   item changes since the last training (OverlayDocument)
 *   merch/rules.json     the rules document (RulesDocument)
 */
export const MERCH_HEAD_KEY = "merch/head.json";
export const OVERLAY_KEY = "merch/overlay.json";
export const RULES_KEY = "merch/rules.json";

export interface MerchHead {
  overlay: number;
  rules: number;
}
