import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { createConnection } from "node:net";
import pg from "pg";
import type { WebSocketServer as WebSocketServerType } from "ws";

// Loaded through require: under the Workers test runner's browser-first
// resolution, `import "ws"` would give the empty browser build.
const { WebSocketServer } = createRequire(import.meta.url)("ws") as {
  WebSocketServer: typeof WebSocketServerType;
};

export interface LocalNeonProxy {
  port: number;
  close(): Promise<void>;
}

/** Every value as Postgres' text, as Neon's HTTP endpoint sends it; the driver parses by type. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/** Postgres error fields Neon's HTTP endpoint returns with a 400 (the driver copies them onto its error). */
const ERROR_FIELDS = [
  "code",
  "severity",
  "detail",
  "hint",
  "position",
  "where",
  "schema",
  "table",
  "column",
  "constraint",
] as const;

/**
 * What Neon runs in front of Postgres, for local use, on one port:
 * - WebSocket in, TCP out: `ws://127.0.0.1:PORT/v1?address=host:port`, the
 *   driver's Pool and Client (sessions, transactions);
 * - SQL over HTTP: `POST http://127.0.0.1:PORT/sql` with the
 *   `Neon-Connection-String` header, the driver's `neon()` (one-shot queries,
 *   no connection set up per request). Single queries only; this stand-in
 *   does not run Neon's batched transactions.
 * Only addresses on the allow-list are reached (loopback Postgres by default).
 */
export function startLocalNeonProxy(options: {
  port: number;
  allow?: string[];
}): Promise<LocalNeonProxy> {
  const allow = new Set(options.allow ?? ["127.0.0.1:5432", "localhost:5432"]);
  // One pool per connection string: Neon's endpoint, too, keeps its connections.
  const pools = new Map<string, pg.Pool>();

  const server = createServer((request, response) => {
    if (request.method === "POST" && request.url?.split("?")[0] === "/sql") {
      // A client that goes away mid-request must not take the proxy down with it.
      answerSql(request, response, allow, pools).catch(() => response.destroy());
      return;
    }
    response.writeHead(404).end("not found: use ws://HOST/v1 or POST /sql\n");
  });

  const websockets = new WebSocketServer({ server });
  websockets.on("connection", (socket, request) => {
    const address = new URL(request.url ?? "/", "ws://proxy").searchParams.get("address") ?? "";
    if (!allow.has(address)) {
      socket.close(1008, `address ${address} is not allowed`);
      return;
    }
    const [host, port] = address.split(":");
    const tcp = createConnection({
      host: host === "localhost" ? "127.0.0.1" : host,
      port: Number(port),
    });
    tcp.on("data", (data) => socket.send(data));
    tcp.on("close", () => socket.close());
    tcp.on("error", () => socket.close());
    socket.on("message", (data) => tcp.write(data as Buffer));
    socket.on("close", () => tcp.end());
    socket.on("error", () => tcp.destroy());
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : options.port,
        close: async () => {
          websockets.close();
          await new Promise<void>((r) => server.close(() => r()));
          await Promise.all([...pools.values()].map((pool) => pool.end()));
        },
      });
    });
  });
}

async function answerSql(
  request: IncomingMessage,
  response: ServerResponse,
  allow: Set<string>,
  pools: Map<string, pg.Pool>,
): Promise<void> {
  const reply = (status: number, body: unknown) =>
    response
      .writeHead(status, {
        "content-type": typeof body === "string" ? "text/plain" : "application/json",
      })
      .end(typeof body === "string" ? body : JSON.stringify(body));
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);

  const connectionString = request.headers["neon-connection-string"];
  if (typeof connectionString !== "string") {
    reply(400, { message: "Neon-Connection-String header is required" });
    return;
  }
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    reply(400, { message: "Neon-Connection-String is not a URL" });
    return;
  }
  const address = `${url.hostname}:${url.port || 5432}`;
  if (!allow.has(address)) {
    reply(403, `address ${address} is not allowed`);
    return;
  }
  let query: { query?: unknown; params?: unknown };
  try {
    query = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof query;
  } catch {
    reply(400, { message: "the body is not JSON" });
    return;
  }
  if (typeof query.query !== "string") {
    reply(400, {
      message: "one query per request: {query, params} (batches are not supported here)",
    });
    return;
  }

  let pool = pools.get(connectionString);
  if (!pool) {
    pool = new pg.Pool({ connectionString, max: 8, connectionTimeoutMillis: 3_000 });
    // A connection lost while idle must not take the process down.
    pool.on("error", () => {});
    pools.set(connectionString, pool);
  }
  try {
    const result = await pool.query({
      text: query.query,
      values: Array.isArray(query.params) ? query.params : [],
      rowMode: "array",
      types: RAW_TEXT,
    });
    reply(200, {
      command: result.command,
      rowCount: result.rowCount,
      rowAsArray: true,
      fields: result.fields,
      rows: result.rows,
    });
  } catch (error) {
    const pgError = error as Partial<Record<(typeof ERROR_FIELDS)[number] | "message", string>>;
    if (pgError.code && pgError.severity) {
      // Postgres answered with an error: Neon returns it as a 400 with its fields.
      reply(400, {
        message: pgError.message,
        ...Object.fromEntries(ERROR_FIELDS.map((field) => [field, pgError[field]])),
      });
    } else {
      // Postgres could not be reached.
      reply(502, `could not reach ${address}: ${String(error)}`);
    }
  }
}
