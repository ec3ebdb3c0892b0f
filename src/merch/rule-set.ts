/**
 * A set of a view's rules as one map key: bit a for rule a while a < 52 (a double holds 53 bits
 * exactly), past that the indexes as text before the bits ("52,60,…,<bits>").
 */
export type RuleSetKey = number | string;

/** Builds a key from rule indexes given in increasing order. */
export class RuleSetBuilder {
  private bits = 0;
  private text = "";

  add(a: number): void {
    if (a < 52) this.bits += 2 ** a;
    else this.text += `${a},`;
  }

  get key(): RuleSetKey {
    return this.text ? `${this.text}${this.bits}` : this.bits;
  }
}

export function inRuleSet(key: RuleSetKey, a: number): boolean {
  if (typeof key === "number") return a < 52 && Math.floor(key / 2 ** a) % 2 === 1;
  const parts = key.split(",");
  return a < 52 ? Math.floor(Number(parts[parts.length - 1]) / 2 ** a) % 2 === 1 : parts.slice(0, -1).includes(String(a));
}
