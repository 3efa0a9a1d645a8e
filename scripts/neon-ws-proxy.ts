/** `npm run neon-proxy`: the local stand-in for Neon's WebSocket endpoint (port NEON_PROXY_PORT, default 8788). */
import { startNeonWsProxy } from "./lib/neon-ws-proxy.ts";

const proxy = await startNeonWsProxy({ port: Number(process.env.NEON_PROXY_PORT ?? 8788) });
console.log(`Neon WebSocket proxy on ws://127.0.0.1:${proxy.port}/v1 -> 127.0.0.1:5432`);
