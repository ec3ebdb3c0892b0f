import { FeatureCollector, type FeatureMatrix } from "./feature-matrix.ts";

/**
 * User × feature matrix from feature strings per user id (e.g. MovieLens u.user:
 * ["age:25-34", "gender:M", "occupation:technician"]), aligned with `userIds`.
 * The part before ":" is the feature's group (each group sums to 1 per user).
 */
export function buildUserFeatures(userIds: string[], features: Map<string, string[]>, minCount = 2): FeatureMatrix {
  const fc = new FeatureCollector(userIds.length);
  userIds.forEach((id, u) => {
    for (const f of features.get(id) ?? []) {
      const colon = f.indexOf(":");
      fc.add(u, colon > 0 ? f.slice(0, colon) : "user", f);
    }
  });
  return fc.build(minCount);
}
