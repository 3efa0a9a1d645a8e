import { createRequire } from "node:module";
import { createConnection } from "node:net";
import type { WebSocketServer as WebSocketServerType } from "ws";

// Loaded through require: under the Workers test runner's browser-first
// resolution, `import "ws"` would give the empty browser build.
const { WebSocketServer } = createRequire(import.meta.url)("ws") as {
  WebSocketServer: typeof WebSocketServerType;
};

/**
 * What Neon runs in front of Postgres, for local use: WebSocket in, TCP out.
 * `ws://127.0.0.1:PORT/v1?address=host:port` is forwarded to that address
 * when it is on the allow-list (loopback Postgres only, by default).
 */
export function startNeonWsProxy(options: {
  port: number;
  allow?: string[];
}): Promise<{ port: number; close(): Promise<void> }> {
  const allow = new Set(options.allow ?? ["127.0.0.1:5432", "localhost:5432"]);
  const server = new WebSocketServer({ host: "127.0.0.1", port: options.port });
  server.on("connection", (socket, request) => {
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
    server.once("listening", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : options.port,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
