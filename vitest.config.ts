import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/workers runs inside workerd: vitest.workers.config.ts; test/soak
    // loads npm start itself: vitest.soak.config.ts; test/e2e
    // drives a browser against the whole stack: vitest.e2e.config.ts.
    exclude: ["test/workers/**", "test/e2e/**", "test/soak/**", "**/node_modules/**"],
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one Postgres database and one Chroma server.
    fileParallelism: false,
  },
});
