import { Hono } from "hono";

export interface Env {
  ARTIFACTS: R2Bucket;
  KV: KVNamespace;
  ARTIFACT_SOURCE?: string;
  ARTIFACT_RECHECK_SECONDS?: string;
  CORS_ORIGINS?: string;
  ADMIN_TOKEN?: string;
}

const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ status: "ok" }));

export default app;
