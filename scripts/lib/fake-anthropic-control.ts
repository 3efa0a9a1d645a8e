/**
 * Typed controls of the fake Messages API (scripts/lib/fake-anthropic.ts),
 * apart from the server so tests inside workerd can import them.
 */
import type { FakeMode, FakeModeRequest, InventedRecord } from "./fake-anthropic.ts";

/** Typed calls to the fake's control endpoints, for tests and scripts. */
export function fakeAnthropicControl(baseUrl: string) {
  const base = baseUrl.replace(/\/+$/, "");
  const get = async <T>(path: string) => (await (await fetch(`${base}${path}`)).json()) as T;
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      body: body === undefined ? "" : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`fake-anthropic ${path}: ${response.status}`);
  };
  return {
    setMode: (mode: FakeMode, options: Omit<FakeModeRequest, "mode"> = {}) =>
      post("/__mode", { mode, ...options }),
    reset: () => post("/__reset"),
    count: async () => (await get<{ messages: number }>("/__count")).messages,
    invented: () => get<InventedRecord[]>("/__invented"),
    requests: () => get<unknown[]>("/__requests"),
    last: () => get<unknown>("/__last"),
  };
}
