import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/trainer/**/*.test.ts", "test/bench/**/*.test.ts", "test/tools/**/*.test.ts", "test/browser/**/*.test.ts", "test/ops/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        plugins: [cloudflareTest({ main: "./src/index.ts", wrangler: { configPath: "./wrangler.toml" } })],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // Builds artifacts with the (Node-only) trainer and provides their bytes to the tests.
          globalSetup: ["./test/worker/support/global-setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "load",
          environment: "node",
          include: ["test/load/**/*.test.ts"],
          // Each file runs its own wrangler dev on a shared 2-core machine: one at a time.
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
