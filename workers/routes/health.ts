import { createRoute } from "@hono/zod-openapi";
import { errors, json } from "../openapi.ts";
import { Health } from "../schemas.ts";
import { openPool } from "../services/postgres.ts";
import { wasmMemoryBytes } from "../services/query-embedder.ts";
import { apiRoutes } from "../validation.ts";

type Check = { ok: true; ms: number } | { ok: false; ms: number; error: string };

async function check(run: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  try {
    await run();
    return { ok: true, ms: Date.now() - started };
  } catch (error) {
    return {
      ok: false,
      ms: Date.now() - started,
      error: String((error as Error).message ?? error),
    };
  }
}

/** Rethrows a Postgres check's error, saying which way to Postgres failed. */
const failedOver = (route: string) => (error: Error) => {
  throw new Error(`over ${route}: ${error.message}`);
};

const healthRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["operations"],
  summary: "Each dependency's state (Postgres both ways, Chroma, the model in R2)",
  responses: {
    ...errors(),
    200: json(Health, "Everything answers."),
    503: json(Health, "A dependency is down; `dependencies` says which."),
  },
});

/** GET /api/health: each dependency's state; 503 when any is down. */
export const health = apiRoutes().openapi(healthRoute, async (c) => {
  const { env, sql, chroma: chromaServer } = c.get("services");
  const pool = openPool(env);
  const [postgres, chroma, model] = await Promise.all([
    // Both ways the Worker reaches Postgres: HTTP queries (search) and a WebSocket session (the rest).
    check(() =>
      Promise.all([
        sql.query("select 1", []).catch(failedOver("HTTP")),
        pool.query("select 1").catch(failedOver("WebSocket")),
      ]),
    ),
    check(() => chromaServer.heartbeat()),
    check(async () => {
      const head = await env.MODELS.head(`${env.MODEL_PREFIX}/model_int8.onnx`);
      if (!head) throw new Error("model file missing in R2");
    }),
  ]);
  c.executionCtx.waitUntil(pool.end().catch(() => {}));
  const ok = postgres.ok && chroma.ok && model.ok;
  // How much of the isolate's 128 MB the loaded model holds (0 until a search loads it).
  const wasmMemoryMb = Math.round((wasmMemoryBytes() / 2 ** 20) * 10) / 10;
  const body = {
    status: ok ? ("ok" as const) : ("degraded" as const),
    dependencies: { postgres, chroma, model: { ...model, wasmMemoryMb } },
  };
  return ok ? c.json(body, 200) : c.json(body, 503);
});
