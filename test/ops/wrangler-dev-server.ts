/** Moved to test/support/wrangler-dev.ts; this path stays until every branch written against it has merged. */
export * from "../support/wrangler-dev.ts";
