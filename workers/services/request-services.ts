import type { ChromaClient } from "chromadb";
import { chromaClient } from "../../core/vector/movies-collection.ts";
import type { WorkerEnv } from "../env.ts";
import { type Claude, claudeFor } from "./claude.ts";
import { type Collections, collectionsFor } from "./dense-search.ts";
import { openSql } from "./postgres.ts";
import type { Queryable } from "./queryable.ts";

/**
 * What a request talks to, built once per request by the services
 * middleware and read from the Hono context (`c.get("services")`), instead
 * of each module building its own. The drizzle database over a WebSocket
 * pool is `c.get("db")` (withDatabase), since it must be closed after.
 */
export interface Services {
  env: WorkerEnv;
  /** Postgres' one-shot queries over Neon's HTTP endpoint: no connection to open or close. */
  sql: Queryable;
  /** The Chroma server (for health checks). */
  chroma: ChromaClient;
  /** Chroma's two collections; their handles are looked up once per isolate. */
  vectors(): Promise<Collections>;
  /** Claude, or null without an API key. */
  claude: Claude | null;
}

export function createServices(env: WorkerEnv): Services {
  return {
    env,
    sql: openSql(env),
    chroma: chromaClient(env.CHROMA_URL, env.CHROMA_TOKEN),
    vectors: () => collectionsFor(env),
    claude: claudeFor(env),
  };
}
