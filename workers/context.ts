import type { WorkerEnv } from "./env.ts";
import type { Db } from "./services/database.ts";
import type { Services } from "./services/request-services.ts";

/** Per-request variables set by middleware and read by handlers. */
export interface Variables {
  requestId: string;
  env: WorkerEnv;
  /** Postgres over HTTP, Chroma and Claude, built once per request (request-services.ts). */
  services: Services;
  /** Milliseconds spent per stage (embed, vector, lexical, total), logged once per request. */
  timings: Record<string, number>;
  /** The signed-in user, set by requireUser() on user routes. */
  userId: number;
  /** drizzle over this request's Postgres pool, set by withDatabase(). */
  db: Db;
}

export interface AppEnv {
  Bindings: Record<string, unknown>;
  Variables: Variables;
}
