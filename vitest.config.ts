import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/workers runs inside workerd: vitest.workers.config.ts.
    exclude: ["test/workers/**", "**/node_modules/**"],
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one Postgres database and one Chroma server.
    fileParallelism: false,
  },
});
