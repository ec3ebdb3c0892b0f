import { readJsonBody } from "../http/body.ts";
import { scorePair } from "../recommend/index.ts";
import { MAX_PAIRS, ScoreBody, ScoreResponse } from "../schemas/bodies.ts";
import { problemContent, problems } from "../schemas/common.ts";
import { requireUserToken } from "../privacy/user-token.ts";
import { type App, type Deps, jsonResponse, pick, round, waitUntilOf } from "./context.ts";
import { defineRoute } from "./define.ts";

const route = {
  method: "post" as const,
  path: "/v1/score",
  summary: `Model score for up to ${MAX_PAIRS} (user, item) pairs`,
  description:
    "A logistic model gives a probability; otherwise a score comparable within one user. An unknown user is scored by item popularity; an unknown item gets null.",
  middleware: [readJsonBody],
  schemas: { body: ScoreBody },
  responses: {
    200: { description: "Scores in request order", content: { "application/json": { schema: ScoreResponse } } },
    401: { description: "User token missing or invalid (only with USER_TOKEN_SECRET set)", content: problemContent },
    413: { description: "Body too large", content: problemContent },
    415: { description: "Body is not JSON", content: problemContent },
    ...problems,
  },
};

export function registerScoreRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, async (c, { body: { pairs } }) => {
    await requireUserToken(c, pairs.map((p) => p.user));
    const picked = await pick(c, deps, pairs[0]?.user);
    const catalog = picked.catalog;
    const forgotten = await deps.forgotten.current(c.env ?? {}, waitUntilOf(c));
    const scores = [];
    for (const { user, item } of pairs) {
      // A forgotten shopper is scored as an unknown one.
      const u = forgotten.has(user) ? null : await catalog.user(user);
      // Score where the user lives (its shard holds the user's vectors); an item outside it is
      // scored as for an unknown user, from the item's own shard.
      const inUserShard = u ? u.served.itemIndex(item) : -1;
      const where = u && inUserShard >= 0 ? { served: u.served, index: inUserShard } : await catalog.item(item);
      if (!where) {
        scores.push({ user, item, score: null, kind: null, known: { user: u !== null, item: false } });
        continue;
      }
      const s = scorePair(where.served.artifact, u && where.served === u.served ? u.index : -1, where.index);
      scores.push({ user, item, score: round(s.score), kind: s.kind, known: { user: u !== null, item: true } });
    }
    return jsonResponse(picked, { scores }, undefined);
  });
}
