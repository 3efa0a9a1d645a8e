import { createServer, type Server, type ServerResponse } from "node:http";
import type { ExplanationDraft } from "../../workers/services/explain/draft.ts";
import { mulberry32 } from "./random.ts";

/** Modes for the re-rank tool (`rank_movies`); explanation requests answer these like explain-valid. */
export type RankMode = "rank-reverse" | "unknown-id" | "duplicate-id";
/** Modes that apply to both tools. */
export type GenericMode = "no-tool" | "malformed" | "error-500" | "error-429" | "slow";
/** Modes for the explanation tool (`write_explanation`); re-rank requests answer these like rank-reverse. */
export type ExplainMode =
  | "explain-valid"
  | "explain-invented-title"
  | "explain-invented-id"
  | "explain-wrong-fact"
  | "explain-invent-once"
  | "explain-mixed";
/** How the fake Messages API answers the next requests. */
export type FakeMode = RankMode | GenericMode | ExplainMode;

export const FAKE_MODES: readonly FakeMode[] = [
  "rank-reverse",
  "unknown-id",
  "duplicate-id",
  "no-tool",
  "malformed",
  "error-500",
  "error-429",
  "slow",
  "explain-valid",
  "explain-invented-title",
  "explain-invented-id",
  "explain-wrong-fact",
  "explain-invent-once",
  "explain-mixed",
];

/** The body of POST /__mode. */
export interface FakeModeRequest {
  mode: FakeMode;
  /** Delay before every answer, in ms (default 0; every /__mode call sets it). */
  delayMs?: number;
  /** Seed for explain-mixed (default 42). */
  seed?: number;
  /** Pause between SSE events of a streamed answer, in ms (default 0). */
  chunkDelayMs?: number;
}

/** The `write_explanation` tool input the fake answers with: the Worker's own draft schema. */
export type FakeExplanation = ExplanationDraft;

/** What one explanation answer made up (GET /__invented lists one per explanation answer). */
export interface InventedRecord {
  /** Titles named that the context lacks. */
  titles: string[];
  /** Evidence ids the context lacks. */
  ids: number[];
  /**
   * The wrong claims about the target as they would read in a response if
   * they got through, e.g. "(2010) is a standout", "directed by Stanley
   * Kubrick", "is a western film": a bare "(2010)" or "war" may well be in a
   * grounded response (a liked film's rendered year, a word of a title).
   */
  facts: string[];
  kind: "valid" | "invented-title" | "invented-id" | "wrong-fact";
  targetId: number | null;
  /** Whether the request was a retry (its conversation holds a tool_result). */
  retry: boolean;
}

/** Usage reported on every explanation answer. */
export const EXPLAIN_USAGE = {
  input_tokens: 1200,
  output_tokens: 80,
  cache_read_input_tokens: 1000,
  cache_creation_input_tokens: 0,
};

/** Well-known catalog titles explain-mixed invents (those the context names are skipped). */
export const INVENTED_TITLES = [
  "Casablanca",
  "Titanic",
  "Jurassic Park",
  "Forrest Gump",
  "The Lion King",
  "Fargo",
  "Heat",
  "Alien",
  "Gladiator",
  "Amélie",
];
const FALLBACK_TITLE = "The Crimson Harbor";
const WRONG_DIRECTORS = [
  "Stanley Kubrick",
  "Alfred Hitchcock",
  "Steven Spielberg",
  "Martin Scorsese",
  "Quentin Tarantino",
];
const WRONG_GENRES = ["western", "musical", "documentary", "horror", "romance", "war"];
const DEFAULT_SEED = 42;
/** Characters of tool-input JSON per input_json_delta event. */
const JSON_CHUNK = 20;

interface MessagesBody {
  model?: string;
  stream?: boolean;
  tools?: { name?: string }[];
  messages?: { role: string; content: unknown }[];
}

interface ContextMovie {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  director: string | null;
  rating: string | null;
}

interface ExplainContext {
  /** The unescaped text of the first user message. */
  text: string;
  target: ContextMovie | null;
  liked: ContextMovie[];
}

interface Answer {
  input: FakeExplanation;
  record: InventedRecord;
}

/**
 * A local stand-in for Anthropic's Messages API that the real SDK talks to
 * (baseURL). Requests whose tools[0].name is "write_explanation" are
 * explanation requests; all others are re-rank requests (`rank_movies`).
 * Control endpoints: POST /__mode {"mode", "delayMs"?, "seed"?, "chunkDelayMs"?},
 * POST /__reset, GET /__last, GET /__count, GET /__invented, GET /__requests.
 * Requests with `stream: true` get Anthropic's SSE events.
 */
export function startFakeAnthropic(port: number): Promise<Server> {
  let mode: FakeMode = "rank-reverse";
  let delayMs = 0;
  let chunkDelayMs = 0;
  let seed = DEFAULT_SEED;
  let last: unknown = null;
  let count = 0;
  let invented: InventedRecord[] = [];
  let requests: unknown[] = [];

  const handle = async (url: string, method: string, body: string, response: ServerResponse) => {
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
      response
        .writeHead(status, { "content-type": "application/json", ...headers })
        .end(JSON.stringify(value));
    if (url === "/__mode") {
      const request = JSON.parse(body) as FakeModeRequest;
      if (!FAKE_MODES.includes(request.mode)) {
        json(400, { error: `unknown mode ${String(request.mode)}` });
        return;
      }
      mode = request.mode;
      delayMs = request.delayMs ?? 0;
      chunkDelayMs = request.chunkDelayMs ?? 0;
      seed = request.seed ?? seed;
      response.writeHead(204).end();
      return;
    }
    if (url === "/__reset") {
      mode = "rank-reverse";
      delayMs = 0;
      chunkDelayMs = 0;
      seed = DEFAULT_SEED;
      last = null;
      count = 0;
      invented = [];
      requests = [];
      response.writeHead(204).end();
      return;
    }
    if (url === "/__last") return json(200, last);
    if (url === "/__count") return json(200, { messages: count });
    if (url === "/__invented") return json(200, invented);
    if (url === "/__requests") return json(200, requests);
    if (method !== "POST" || !url.startsWith("/v1/messages")) {
      response.writeHead(404).end();
      return;
    }

    count += 1;
    let parsed: MessagesBody;
    try {
      parsed = JSON.parse(body) as MessagesBody;
    } catch {
      return json(400, {
        type: "error",
        error: { type: "invalid_request_error", message: "fake: body is not JSON" },
      });
    }
    last = parsed;
    requests.push(parsed);
    const explain = parsed.tools?.[0]?.name === "write_explanation";
    const stream = parsed.stream === true;
    const currentMode = mode;
    const currentChunkDelay = chunkDelayMs;
    if (delayMs > 0) await sleep(delayMs);

    const apiError = (status: number, type: string) =>
      json(
        status,
        { type: "error", error: { type, message: `fake ${type}` } },
        // Explanation callers retry 429s: answer so that the SDK retries at once. The SDK
        // ignores `retry-after: 0` (it falls back to its backoff), so `retry-after-ms` too.
        explain && status === 429 ? { "retry-after": "0", "retry-after-ms": "1" } : {},
      );
    const send = (message: FakeMessage) =>
      stream ? sendStream(response, message, currentChunkDelay) : json(200, message);

    switch (currentMode) {
      case "malformed":
        if (stream) {
          response.writeHead(200, { "content-type": "text/event-stream" });
          response.end("event: message_start\ndata: {not json\n\n");
          return;
        }
        return response.writeHead(200, { "content-type": "application/json" }).end("{not json");
      case "error-500":
        return apiError(500, "api_error");
      case "error-429":
        return apiError(429, "rate_limit_error");
      case "slow":
        await sleep(3_000);
        break;
    }

    if (!explain) {
      const content = JSON.stringify(parsed.messages);
      const ids = [...content.matchAll(/movieId=\\"(\d+)\\"/g)].map((m) => Number(m[1]));
      switch (currentMode) {
        case "unknown-id":
          return send(rankReply([999_999_999, ...ids]));
        case "duplicate-id":
          return send(rankReply([ids[0] ?? 1, ids[0] ?? 1]));
        case "no-tool":
          return send({
            ...rankReply([]),
            content: [{ type: "text", text: "I think the first one." }],
          });
        default:
          return send(rankReply([...ids].reverse()));
      }
    }

    const messages = parsed.messages ?? [];
    const context = parseContext(userText(messages[0]?.content));
    const retry =
      messages.length > 1 ||
      messages.some(
        (message) =>
          Array.isArray(message.content) &&
          message.content.some((block: { type?: string }) => block?.type === "tool_result"),
      );
    const hash = fnv1a(JSON.stringify(messages));
    const title = context.target?.title ?? "This movie";
    if (currentMode === "no-tool") {
      return send({
        ...explainReply(hash, validAnswer(context, retry).input),
        content: [{ type: "text", text: `${title} looks like a good fit for you.` }],
        stop_reason: "end_turn",
      });
    }
    let answer: Answer;
    switch (currentMode) {
      case "explain-invented-title":
        answer = inventTitle(context, retry, casablanca(context));
        break;
      case "explain-invented-id":
        answer = inventId(context, retry, 999_999_999);
        break;
      case "explain-wrong-fact":
        answer = wrongFacts(context, retry);
        break;
      case "explain-invent-once":
        answer = retry
          ? validAnswer(context, retry)
          : inventTitle(context, retry, casablanca(context));
        break;
      case "explain-mixed":
        answer = mixedAnswer(context, retry, mulberry32((seed ^ hash) >>> 0));
        break;
      default:
        answer = validAnswer(context, retry);
    }
    invented.push(answer.record);
    return send(explainReply(hash, answer.input));
  };

  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      handle(request.url ?? "", request.method ?? "GET", body, response).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { "content-type": "text/plain" });
        }
        response.end(`fake-anthropic: ${String(error)}`);
      });
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

// --- replies -----------------------------------------------------------------

type FakeBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown; caller?: { type: "direct" } };

interface FakeMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: FakeBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  };
  [key: string]: unknown;
}

function rankReply(ranking: number[]): FakeMessage {
  return {
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
  };
}

function explainReply(hash: number, input: FakeExplanation): FakeMessage {
  const id = hash.toString(16).padStart(8, "0");
  return {
    id: `msg_fake_${id}`,
    type: "message",
    role: "assistant",
    model: "fake",
    content: [
      {
        type: "tool_use",
        id: `toolu_fake_${id}`,
        name: "write_explanation",
        input,
        caller: { type: "direct" },
      },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: { ...EXPLAIN_USAGE },
  };
}

/**
 * Streams a message as Anthropic's SSE events: message_start (empty content),
 * ping, per block content_block_start / *_delta / content_block_stop,
 * message_delta (stop reason, output tokens) and message_stop.
 */
async function sendStream(response: ServerResponse, message: FakeMessage, chunkDelayMs: number) {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const event = async (type: string, data: Record<string, unknown>) => {
    if (response.destroyed) return;
    response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    if (chunkDelayMs > 0) await sleep(chunkDelayMs);
  };
  await event("message_start", {
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...message.usage, output_tokens: 1 },
    },
  });
  await event("ping", {});
  for (const [index, block] of message.content.entries()) {
    if (block.type === "tool_use") {
      await event("content_block_start", { index, content_block: { ...block, input: {} } });
      for (const partial_json of chunks(JSON.stringify(block.input), JSON_CHUNK)) {
        await event("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json },
        });
      }
    } else {
      await event("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const text of chunks(block.text, JSON_CHUNK)) {
        await event("content_block_delta", { index, delta: { type: "text_delta", text } });
      }
    }
    await event("content_block_stop", { index });
  }
  await event("message_delta", {
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
    usage: { output_tokens: message.usage.output_tokens },
  });
  await event("message_stop", {});
  response.end();
}

/** Splits text into pieces of about `size`, never inside a JSON escape or a surrogate pair. */
function chunks(text: string, size: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    while (end < text.length) {
      let backslashes = 0;
      while (text[end - 1 - backslashes] === "\\") backslashes += 1;
      const highSurrogate = /[\uD800-\uDBFF]/.test(text[end - 1] ?? "");
      if (backslashes % 2 === 0 && !highSurrogate) break;
      end += 1;
    }
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

// --- the explanation context ---------------------------------------------------

function userText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((block): block is { type: "text"; text: string } => block?.type === "text")
    .map((block) => block.text)
    .join("\n");
}

function unescapeXml(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

function attributes(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], unescapeXml(m[2] ?? "")]),
  );
}

function parseMovie(attrText: string, inner: string): ContextMovie {
  const attrs = attributes(attrText);
  const field = (name: string) => {
    const match = inner.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`));
    return match ? unescapeXml(match[1] ?? "").trim() : null;
  };
  const year = Number(field("year"));
  return {
    movieId: Number(attrs.movieId),
    title: field("title") ?? `movie ${attrs.movieId}`,
    year: Number.isInteger(year) && year > 0 ? year : null,
    genres: (field("genres") ?? "")
      .split(",")
      .map((genre) => genre.trim())
      .filter(Boolean),
    director: field("director"),
    rating: attrs.yourRating ?? null,
  };
}

/** Reads the target and liked movies out of the prompt's data blocks. */
function parseContext(raw: string): ExplainContext {
  const target = raw.match(/<target\b([^>]*)>([\s\S]*?)<\/target>/);
  const likedBlock = raw.match(/<liked_movies>([\s\S]*?)<\/liked_movies>/)?.[1] ?? "";
  return {
    text: unescapeXml(raw),
    target: target ? parseMovie(target[1] ?? "", target[2] ?? "") : null,
    liked: [...likedBlock.matchAll(/<movie\b([^>]*)>([\s\S]*?)<\/movie>/g)].map((m) =>
      parseMovie(m[1] ?? "", m[2] ?? ""),
    ),
  };
}

function mentions(context: ExplainContext, text: string): boolean {
  return context.text.toLowerCase().includes(text.toLowerCase());
}

// --- answers ---------------------------------------------------------------------

function record(
  context: ExplainContext,
  retry: boolean,
  kind: InventedRecord["kind"],
  invented: Partial<Pick<InventedRecord, "titles" | "ids" | "facts">> = {},
): InventedRecord {
  return {
    titles: invented.titles ?? [],
    ids: invented.ids ?? [],
    facts: invented.facts ?? [],
    kind,
    targetId: context.target?.movieId ?? null,
    retry,
  };
}

/**
 * A grounded answer in two sentences, films as placeholders: the first one
 * or two liked movies, their ratings and a genre the target shares.
 */
function validAnswer(context: ExplainContext, retry: boolean): Answer {
  const target = context.target;
  const it = target ? `[[${target.movieId}]]` : "This movie";
  const used = context.liked.slice(0, 2);
  const targetGenres = target?.genres ?? [];
  const genre =
    targetGenres.find((g) => used.every((m) => m.genres.includes(g))) ??
    targetGenres.find((g) => used.some((m) => m.genres.includes(g))) ??
    null;
  let explanation: string;
  if (used.length === 0) {
    explanation = `${it} fits what you are looking for.`;
  } else {
    const gave = used.map((m) => `[[${m.movieId}]] [[${m.movieId}:stars]]`).join(" and ");
    const their = used.length === 1 ? "its" : "their";
    explanation = genre
      ? `You gave ${gave}. ${it} shares ${their} ${genre.toLowerCase()} streak.`
      : `You gave ${gave}. ${it} is in a similar vein.`;
  }
  const evidence = used.map((m) => ({
    movieId: m.movieId,
    why:
      genre && m.genres.includes(genre)
        ? `You rated it [[${m.movieId}:stars]]; also ${genre.toLowerCase()}.`
        : `You rated it [[${m.movieId}:stars]].`,
  }));
  return {
    input: { explanation, confidence: "medium", evidence },
    record: record(context, retry, "valid"),
  };
}

/** A title from INVENTED_TITLES the context does not name (or a made-up one). */
function pickTitle(context: ExplainContext, random: () => number): string {
  const candidates = INVENTED_TITLES.filter((title) => !mentions(context, title));
  return candidates[Math.floor(random() * candidates.length)] ?? FALLBACK_TITLE;
}

/** "Casablanca", or a made-up title where the context names Casablanca. */
function casablanca(context: ExplainContext): string {
  return mentions(context, "Casablanca") ? FALLBACK_TITLE : "Casablanca";
}

function inventTitle(context: ExplainContext, retry: boolean, invented: string): Answer {
  const valid = validAnswer(context, retry).input;
  return {
    input: { ...valid, explanation: `${valid.explanation} Fans of it also love ${invented}.` },
    record: record(context, retry, "invented-title", { titles: [invented] }),
  };
}

/** An evidence id and a placeholder outside the context. */
function inventId(context: ExplainContext, retry: boolean, id: number): Answer {
  const valid = validAnswer(context, retry).input;
  return {
    input: {
      ...valid,
      explanation: `${valid.explanation} It also recalls [[${id}]].`,
      evidence: [...valid.evidence, { movieId: id, why: "A favourite of yours." }],
    },
    record: record(context, retry, "invented-id", { ids: [id] }),
  };
}

function wrongDirector(context: ExplainContext, random: () => number): string {
  const candidates = WRONG_DIRECTORS.filter((name) => !mentions(context, name));
  return candidates[Math.floor(random() * candidates.length)] ?? "Ed Wood";
}

function wrongGenre(context: ExplainContext, random: () => number): string {
  const genres = (context.target?.genres ?? []).map((g) => g.toLowerCase());
  const candidates = WRONG_GENRES.filter((genre) => !genres.includes(genre));
  return candidates[Math.floor(random() * candidates.length)] ?? "western";
}

/** explain-wrong-fact: "[[target]] (<year + 3>) is a western directed by Stanley Kubrick." */
function wrongFacts(context: ExplainContext, retry: boolean): Answer {
  const valid = validAnswer(context, retry).input;
  const target = context.target;
  const title = target ? `[[${target.movieId}]]` : "This movie";
  const year = target?.year ? `(${target.year + 3})` : null;
  const genre = wrongGenre(context, () => 0);
  const director = wrongDirector(context, () => 0);
  const sentence = `${title}${year ? ` ${year}` : ""} is a ${genre} directed by ${director}.`;
  return {
    input: { ...valid, explanation: `${valid.explanation} ${sentence}` },
    record: record(context, retry, "wrong-fact", {
      facts: [
        ...(year ? [`${year} is a`] : []),
        `is a ${genre} directed`,
        `directed by ${director}`,
      ],
    }),
  };
}

/** Ratings no liked movie has (they are 4 or more), written as the model would. */
const WRONG_RATINGS = ["1 star", "2 stars", "2.5 stars", "3 stars"];

/**
 * explain-mixed: valid 40%, invented title 20%, invented id 20%, one wrong
 * fact 20% (the target's year, its director, its genre, or the user's rating
 * of a liked movie).
 */
function mixedAnswer(context: ExplainContext, retry: boolean, random: () => number): Answer {
  const roll = random();
  if (roll < 0.4) return validAnswer(context, retry);
  if (roll < 0.6) return inventTitle(context, retry, pickTitle(context, random));
  if (roll < 0.8) {
    return inventId(context, retry, 900_000_000 + Math.floor(random() * 99_999_999));
  }
  const valid = validAnswer(context, retry).input;
  const target = context.target;
  const title = target ? `[[${target.movieId}]]` : "This movie";
  const rated = context.liked[0];
  let kind = Math.floor(random() * 4);
  if (kind === 0 && !target?.year) kind = 1;
  if (kind === 3 && !rated) kind = 1;
  let claim: string;
  if (kind === 0 && target?.year) {
    const offset = (1 + Math.floor(random() * 5)) * (random() < 0.5 ? -1 : 1);
    claim = `(${target.year + offset}) is a standout`;
  } else if (kind === 1) {
    claim = `directed by ${wrongDirector(context, random)}`;
  } else if (kind === 3 && rated) {
    claim = `Even at ${WRONG_RATINGS[Math.floor(random() * WRONG_RATINGS.length)] ?? "2 stars"}`;
  } else {
    claim = `is a ${wrongGenre(context, random)} film`;
  }
  const sentence =
    kind === 3 && rated
      ? `${claim}, [[${rated.movieId}]] was a clue.`
      : kind === 0
        ? `${title} ${claim} of its year.`
        : kind === 1
          ? `${title} was ${claim}.`
          : `${title} ${claim} at heart.`;
  return {
    input: { ...valid, explanation: `${valid.explanation} ${sentence}` },
    record: record(context, retry, "wrong-fact", { facts: [claim] }),
  };
}

// --- helpers -----------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
