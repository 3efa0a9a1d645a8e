import { defineConfig } from "vitest/config";

// The soak test: `npm start` itself under a crowd (test/soak/). Its own run,
// after the others, as it brings up and loads the whole product.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/soak/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
