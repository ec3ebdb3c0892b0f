import { createRoute } from "@hono/zod-openapi";
import { readJsonBody } from "../http/body.ts";
import { scorePair } from "../recommend/index.ts";
import { MAX_PAIRS, ScoreBody, ScoreResponse } from "../schemas/bodies.ts";
import { problemContent, problems } from "../schemas/common.ts";
import { type App, type Deps, jsonResponse, pick, preserialised, round } from "./context.ts";

const route = createRoute({
  method: "post",
  path: "/v1/score",
  summary: `Model score for up to ${MAX_PAIRS} (user, item) pairs`,
  description:
    "A logistic model gives a probability; otherwise a score comparable within one user. An unknown user is scored by item popularity; an unknown item gets null.",
  middleware: [readJsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: ScoreBody } } } },
  responses: {
    200: { description: "Scores in request order", content: { "application/json": { schema: ScoreResponse } } },
    413: { description: "Body too large", content: problemContent },
    415: { description: "Body is not JSON", content: problemContent },
    ...problems,
  },
});

export function registerScoreRoutes(app: App, deps: Deps): void {
  app.openapi(route, async (c) => {
    const { pairs } = c.req.valid("json");
    const picked = await pick(c, deps, pairs[0]?.user);
    const served = picked.served;
    const scores = pairs.map(({ user, item }) => {
      const u = served.userIndex(user);
      const i = served.itemIndex(item);
      if (i < 0) return { user, item, score: null, kind: null, known: { user: u >= 0, item: false } };
      const s = scorePair(served.artifact, u, i);
      return { user, item, score: round(s.score), kind: s.kind, known: { user: u >= 0, item: true } };
    });
    return preserialised(jsonResponse(picked, { scores }, undefined));
  });
}
