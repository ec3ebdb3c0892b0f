/** Any error a route throws, as the problem response the client gets (the app's onError and the hot routes share it). */
import { HTTPException } from "hono/http-exception";
import { StoreError } from "../store/store-error.ts";
import { fromProblemError, ProblemError, problemResponse } from "./problem.ts";
import { storeProblem } from "./store-problem.ts";

export function errorResponse(err: unknown, instance: string | undefined): Response {
  if (err instanceof ProblemError) return fromProblemError(err, instance);
  if (err instanceof StoreError) return fromProblemError(storeProblem(err), instance);
  if (err instanceof HTTPException) {
    const status = err.status;
    const title = status === 413 ? "Request body too large" : status === 415 ? "Unsupported media type" : status === 400 ? "Bad request" : "Request refused";
    return problemResponse(status, `http-${status}`, title, err.message || title, instance);
  }
  // Never leak internals: log for the operator, answer a generic problem.
  console.error("edgerec: unhandled error", err);
  return problemResponse(500, "internal", "Internal error", "The server failed to answer this request; it has been logged.", instance);
}
