/** Served-path recommenders: pure functions over a decoded Artifact, used by the worker and benches. */
export { similarItems, similarSource, type SimilarOptions, type SimilarResult } from "./similar.ts";
export { basketRecommendations, DEFAULT_DECAY, type BasketOptions } from "./basket.ts";
export { userRecommendations, userHistory, defaultUserStrategy, type UserOptions, type UserResult } from "./user.ts";
export { popularItems, categoryIndex, type PopularOptions } from "./popular.ts";
export { scorePair, isLogistic, type PairScore } from "./score.ts";
export { compileFilter } from "./filter.ts";
export { MAX_K } from "./scratch.ts";
export type { ItemFilter, RecommendedItem, SimilarSource, UserStrategy } from "./types.ts";
