import { describe, expect, it } from "vitest";
import { LateWriteSafeWebSocket } from "../../workers/services/postgres.ts";
import { testEnv } from "./helpers.ts";

/** A WebSocket to Postgres through the local stand-in for Neon's proxy, once open. */
async function openSocket(Socket: typeof WebSocket): Promise<WebSocket> {
  const server = new URL(testEnv.DATABASE_URL as string);
  const socket = new Socket(
    `ws://${testEnv.NEON_PROXY}/v1?address=${server.hostname}:${server.port || 5432}`,
  );
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  return socket;
}

describe("the Neon driver's WebSocket", () => {
  it("drops a write that comes after close, where a plain WebSocket throws", async () => {
    // The driver sends coalesced writes from a timer; after a close, a plain
    // socket's throw there is an uncaught exception in the isolate.
    const plain = await openSocket(WebSocket);
    const safe = await openSocket(LateWriteSafeWebSocket);
    plain.close();
    safe.close();
    const write = new Uint8Array([0, 0, 0, 4]);
    expect(() => plain.send(write)).toThrow(/after close/);
    expect(() => safe.send(write)).not.toThrow();
  });

  it("still writes while open", async () => {
    const safe = await openSocket(LateWriteSafeWebSocket);
    // An SSLRequest: Postgres answers it with one byte ("N" where TLS is off).
    const answer = new Promise<number>((resolve) =>
      safe.addEventListener("message", (event) =>
        resolve(new Uint8Array(event.data as ArrayBuffer).length),
      ),
    );
    safe.binaryType = "arraybuffer";
    safe.send(new Uint8Array([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
    expect(await answer).toBe(1);
    safe.close();
  });
});
