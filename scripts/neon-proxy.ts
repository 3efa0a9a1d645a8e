/** `npm run neon-proxy`: the local stand-in for Neon's WebSocket and HTTP endpoints (port NEON_PROXY_PORT, default 8788). */
import { startLocalNeonProxy } from "./lib/neon-proxy.ts";

const proxy = await startLocalNeonProxy({ port: Number(process.env.NEON_PROXY_PORT ?? 8788) });
console.log(
  `Neon proxy on 127.0.0.1:${proxy.port}: ws://…/v1 and POST http://…/sql -> 127.0.0.1:5432`,
);
