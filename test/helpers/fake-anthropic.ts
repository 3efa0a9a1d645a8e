import { createServer, type Server } from "node:http";

/** How the fake Messages API answers the next requests. */
export type FakeMode =
  | "rank-reverse"
  | "unknown-id"
  | "duplicate-id"
  | "no-tool"
  | "malformed"
  | "error-500"
  | "error-429"
  | "slow";

/**
 * A local stand-in for Anthropic's Messages API that the real SDK talks to
 * (baseURL). POST /__mode {"mode": ...} sets its behaviour; GET /__last
 * returns the last request body it received.
 */
export function startFakeAnthropic(port: number): Promise<Server> {
  let mode: FakeMode = "rank-reverse";
  let last: unknown = null;
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", async () => {
      if (request.url === "/__mode") {
        mode = (JSON.parse(body) as { mode: FakeMode }).mode;
        response.writeHead(204).end();
        return;
      }
      if (request.url === "/__last") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(last));
        return;
      }
      if (request.method !== "POST" || !request.url?.startsWith("/v1/messages")) {
        response.writeHead(404).end();
        return;
      }
      last = JSON.parse(body);
      const content = JSON.stringify((last as { messages: { content: string }[] }).messages);
      const ids = [...content.matchAll(/movieId=\\"(\d+)\\"/g)].map((m) => Number(m[1]));
      const reply = (ranking: number[]) => ({
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model: "fake",
        content: [{ type: "tool_use", id: "toolu_fake", name: "rank_movies", input: { ranking } }],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: {
          input_tokens: 100,
          output_tokens: 10,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
      });
      const json = (status: number, value: unknown) =>
        response
          .writeHead(status, { "content-type": "application/json" })
          .end(JSON.stringify(value));
      const apiError = (status: number, type: string) =>
        json(status, { type: "error", error: { type, message: `fake ${type}` } });
      switch (mode) {
        case "rank-reverse":
          return json(200, reply([...ids].reverse()));
        case "unknown-id":
          return json(200, reply([999_999_999, ...ids]));
        case "duplicate-id":
          return json(200, reply([ids[0] ?? 1, ids[0] ?? 1]));
        case "no-tool":
          return json(200, {
            ...reply([]),
            content: [{ type: "text", text: "I think the first one." }],
          });
        case "malformed":
          return response.writeHead(200, { "content-type": "application/json" }).end("{not json");
        case "error-500":
          return apiError(500, "api_error");
        case "error-429":
          return apiError(429, "rate_limit_error");
        case "slow":
          await new Promise((r) => setTimeout(r, 3_000));
          return json(200, reply([...ids].reverse()));
      }
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

/** A server that accepts connections and never answers: a dependency that hangs. */
export function startBlackHole(port: number): Promise<Server> {
  const server = createServer(() => {
    // Never respond.
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}
