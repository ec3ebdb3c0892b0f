/** Worker entry: one app (and so one in-memory artifact store) per isolate. */
import { createApp } from "./app.ts";

export type { Env } from "./config.ts";

const app = createApp();

export default app;
