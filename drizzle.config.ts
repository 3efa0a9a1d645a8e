import { defineConfig } from "drizzle-kit";

// Migrations are generated from the TypeScript schema, reviewed, and committed.
// `npm run db:migrate` applies them (to DATABASE_URL or the embedded Postgres).
export default defineConfig({
  dialect: "postgresql",
  schema: "./core/db/schema.ts",
  out: "./migrations",
});
