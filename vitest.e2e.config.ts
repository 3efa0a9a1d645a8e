import { defineConfig } from "vitest/config";

// Browser end-to-end tests: test/e2e/setup.ts starts the whole stack once
// (scripts/lib/e2e-stack.ts) and provides its base URL; the tests drive
// Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through playwright-core.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // One stack, one browser; the tests share a database and run in order.
    fileParallelism: false,
  },
});
