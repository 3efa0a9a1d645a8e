import type { WorkerEnv } from "./env.ts";

/** Per-request variables set by middleware and read by handlers. */
export interface Variables {
  requestId: string;
  env: WorkerEnv;
  /** Milliseconds spent per stage (embed, vector, lexical, total), logged once per request. */
  timings: Record<string, number>;
}

export interface AppEnv {
  Bindings: Record<string, unknown>;
  Variables: Variables;
}
