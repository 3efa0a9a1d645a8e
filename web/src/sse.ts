/** One server-sent event: its name ("message" when the server gave none) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * An incremental parser for the text/event-stream format (WHATWG HTML
 * 9.2.6). Chunks may split anywhere, even between "\r" and "\n", so lines
 * are only read once their terminator is known.
 */
export function createSseParser() {
  let buffer = "";
  let started = false;
  let eventName = "";
  let data: string[] = [];

  function takeLine(line: string, out: SseEvent[]) {
    if (line === "") {
      // A blank line dispatches; an event without data lines is dropped, as the spec says.
      if (data.length > 0) out.push({ event: eventName || "message", data: data.join("\n") });
      eventName = "";
      data = [];
      return;
    }
    if (line.startsWith(":")) return; // a comment, e.g. a keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") eventName = value;
    else if (field === "data") data.push(value);
    // "id" and "retry" only matter for EventSource reconnection, which fetch does not do.
  }

  return {
    /** Feeds decoded text; returns the events it completed. */
    push(text: string): SseEvent[] {
      buffer += text;
      if (!started && buffer.length > 0) {
        started = true;
        if (buffer.startsWith("\uFEFF")) buffer = buffer.slice(1);
      }
      const out: SseEvent[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i];
        if (ch !== "\n" && ch !== "\r") continue;
        // A trailing "\r" may be the first half of "\r\n": wait for the next chunk.
        if (ch === "\r" && i === buffer.length - 1) break;
        takeLine(buffer.slice(start, i), out);
        if (ch === "\r" && buffer[i + 1] === "\n") i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
    /** The stream ended: a lone "\r" still ends its line; an unterminated event is discarded. */
    end(): SseEvent[] {
      const out: SseEvent[] = [];
      if (buffer.endsWith("\r")) takeLine(buffer.slice(0, -1), out);
      buffer = "";
      return out;
    },
  };
}

/** Reads a fetch response body as server-sent events. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = createSseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    // Stops the download when the consumer leaves early (cancelled query, unmounted view).
    reader.cancel().catch(() => {});
  }
}
