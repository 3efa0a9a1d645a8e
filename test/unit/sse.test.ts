import { describe, expect, it } from "vitest";
import { createSseParser, readSse, type SseEvent } from "../../web/src/sse.ts";

function parseChunks(chunks: string[]): SseEvent[] {
  const parser = createSseParser();
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()];
}

describe("createSseParser", () => {
  it("reads named events with JSON data", () => {
    expect(
      parseChunks([
        'event: delta\ndata: {"text":"Hel"}\n\nevent: delta\ndata: {"text":"lo"}\n\n',
        "event: reset\ndata: {}\n\n",
      ]),
    ).toEqual([
      { event: "delta", data: '{"text":"Hel"}' },
      { event: "delta", data: '{"text":"lo"}' },
      { event: "reset", data: "{}" },
    ]);
  });

  it("gives the same events however the text is split, CRLF included", () => {
    const text = 'event: done\r\ndata: {"a":1}\r\n\r\n: keep-alive\r\ndata: x\r\n\r\n';
    const whole = parseChunks([text]);
    expect(whole).toEqual([
      { event: "done", data: '{"a":1}' },
      { event: "message", data: "x" },
    ]);
    for (let i = 1; i < text.length; i++) {
      expect(parseChunks([text.slice(0, i), text.slice(i)])).toEqual(whole);
    }
    expect(parseChunks([...text])).toEqual(whole);
  });

  it("joins data lines, strips one leading space, handles bare CR and a BOM", () => {
    expect(parseChunks(["\uFEFFdata:a\rdata:  b\r\rdata\n\n"])).toEqual([
      { event: "message", data: "a\n b" },
      { event: "message", data: "" },
    ]);
  });

  it("drops events without data and an unterminated last event", () => {
    expect(parseChunks(["event: ping\n\nid: 3\nretry: 10\n\nevent: delta\ndata: cut"])).toEqual([]);
  });
});

describe("readSse", () => {
  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"Amélie ★"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    for await (const event of readSse(body)) events.push(event);
    expect(events).toEqual([{ event: "delta", data: '{"text":"Amélie ★"}' }]);
  });
});
