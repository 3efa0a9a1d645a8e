import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { freePort } from "./embed-pipeline/src/free-port.ts";
import { directReason } from "./scripts/lib/postgres-pooler.ts";
import { testPostgres } from "./test/helpers/test-postgres.ts";

// The services the Worker talks to are started by test/setup/workers-global.ts
// on these ports; the Worker gets them as bindings.
const ports = {
  chroma: await freePort(),
  neonProxy: await freePort(),
  files: await freePort(),
  anthropic: await freePort(),
  blackHole: await freePort(),
  pooler: await freePort(),
};
process.env.MARQUEE_TEST_PORTS = JSON.stringify(ports);
const database = `marquee_workers_${process.pid}`;
process.env.MARQUEE_TEST_DATABASE = database;
// TEST_DATABASE_URL, the machine's server, or the embedded one (test/helpers/test-postgres.ts);
// test/setup/workers-global.ts reads these and stops an embedded server at the end.
const postgres = await testPostgres((line) => console.log(line));
process.env.MARQUEE_TEST_ADMIN_URL = postgres.url;
if (postgres.embeddedDir) process.env.MARQUEE_TEST_EMBEDDED_DIR = postgres.embeddedDir;
const admin = new URL(postgres.url);
admin.pathname = `/${database}`;
// The Worker reaches the database through PgBouncer where it is installed, as
// it reaches Neon's pooled endpoint in production (scripts/lib/postgres-pooler.ts).
const workerDatabase = new URL(admin);
if (!directReason(admin.toString())) {
  workerDatabase.hostname = "127.0.0.1";
  workerDatabase.port = String(ports.pooler);
}

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          DATABASE_URL: workerDatabase.toString(),
          NEON_PROXY: `127.0.0.1:${ports.neonProxy}`,
          CHROMA_URL: `http://127.0.0.1:${ports.chroma}`,
          TEST_FILES_URL: `http://127.0.0.1:${ports.files}`,
          ANTHROPIC_API_KEY: "test-key",
          ANTHROPIC_BASE_URL: `http://127.0.0.1:${ports.anthropic}`,
          RERANK_BUDGET_MS: "500",
          JWT_SECRET: "test-secret-0123456789abcdef",
          ADMIN_TOKEN: "test-admin-0123456789abcdef",
          EXPLAIN_PREFETCH: "0",
          EXPLAIN_RATE_LIMIT: "1000",
          TEST_BLACK_HOLE_URL: `http://127.0.0.1:${ports.blackHole}`,
        },
      },
    }),
  ],
  test: {
    include: ["test/workers/**/*.test.ts"],
    globalSetup: ["test/setup/workers-global.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
