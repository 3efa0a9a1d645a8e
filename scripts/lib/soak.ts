import { percentiles } from "./percentiles.ts";
import { mulberry32 } from "./random.ts";
import { SAMPLE_QUERIES } from "./sample-queries.ts";

/** One route's share of the mix, and what it sends. */
type Step = (client: Client) => Promise<Response>;

interface Client {
  base: string;
  token: string;
  userId: number;
  movies: number[];
  random: () => number;
}

export interface RouteStats {
  requests: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  p50: number;
  p95: number;
  reqPerSecond: number;
}

export interface SoakReport {
  seconds: number;
  clients: number;
  routes: Record<string, RouteStats>;
  /** Responses with a status of 500 or more, and requests that got no response. */
  failures: { route: string; status: number | string; body: string }[];
}

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.floor(random() * items.length)] as T;

const authed = (client: Client, init: RequestInit = {}) => ({
  ...init,
  headers: {
    authorization: `Bearer ${client.token}`,
    "content-type": "application/json",
    ...(init.headers as Record<string, string> | undefined),
  },
});

/** What a crowd of signed-in people does, by weight: searching most, then explanations and ratings. */
const MIX: [string, number, Step][] = [
  [
    "search",
    35,
    (c) =>
      fetch(
        `${c.base}/api/search?q=${encodeURIComponent(pick(SAMPLE_QUERIES, c.random))}&limit=10`,
      ),
  ],
  ["recommendations", 10, (c) => fetch(`${c.base}/api/recommendations?limit=10`, authed(c))],
  ["ratings: list", 10, (c) => fetch(`${c.base}/api/ratings?limit=50`, authed(c))],
  [
    "ratings: put",
    10,
    (c) =>
      fetch(
        `${c.base}/api/ratings/${pick(c.movies, c.random)}`,
        authed(c, {
          method: "PUT",
          body: JSON.stringify({ rating: 0.5 + Math.floor(c.random() * 10) / 2 }),
        }),
      ),
  ],
  [
    "ratings: get one",
    5,
    (c) => fetch(`${c.base}/api/ratings/${pick(c.movies, c.random)}`, authed(c)),
  ],
  [
    "explain: JSON",
    15,
    (c) => fetch(`${c.base}/api/recommendations/${pick(c.movies, c.random)}/explain`, authed(c)),
  ],
  [
    "explain: SSE",
    10,
    (c) =>
      fetch(
        `${c.base}/api/recommendations/${pick(c.movies, c.random)}/explain`,
        authed(c, { headers: { accept: "text/event-stream" } }),
      ),
  ],
  ["movie", 5, (c) => fetch(`${c.base}/api/movies/${pick(c.movies, c.random)}`)],
];

/** The step whose share of the mix `roll` (0 to the weights' sum) falls in. */
function pickStep(roll: number): (typeof MIX)[number] {
  let left = roll;
  for (const entry of MIX) {
    left -= entry[1];
    if (left < 0) return entry;
  }
  return MIX[0] as (typeof MIX)[number];
}

/**
 * `clients` people for `seconds`, each signed in as a user of their own
 * (demo sign-in), each sending the next request as soon as the last is
 * answered, read to its end (an SSE stream included): the mix above over
 * `movies`. Reports each route's statuses and latency, and every response
 * of 500 or more with its body.
 */
/** Movie ids the crowd rates and asks about: what a few broad searches return. */
export async function moviePool(base: string): Promise<number[]> {
  const ids = new Set<number>();
  for (const q of ["drama", "comedy", "action", "toy", "love"]) {
    const response = await fetch(`${base}/api/search?q=${q}&limit=50`);
    const body = (await response.json()) as { results: { movieId: number }[] };
    for (const r of body.results) ids.add(r.movieId);
  }
  return [...ids];
}

export async function runSoak(options: {
  base: string;
  clients: number;
  seconds: number;
  movies: number[];
}): Promise<SoakReport> {
  const clients: Client[] = [];
  for (let i = 0; i < options.clients; i++) {
    const userId = i + 1;
    const response = await fetch(`${options.base}/api/demo/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId }),
    });
    if (!response.ok) throw new Error(`demo sign-in: ${response.status} ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    clients.push({
      base: options.base,
      token,
      userId,
      movies: options.movies,
      random: mulberry32(i + 1),
    });
  }
  const total = MIX.reduce((n, [, weight]) => n + weight, 0);
  const latencies = new Map<string, number[]>();
  const statuses = new Map<string, Record<string, number>>();
  const failures: SoakReport["failures"] = [];
  const deadline = performance.now() + options.seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const [route, , step] = pickStep(client.random() * total);
        const started = performance.now();
        let status: number | string;
        let body = "";
        try {
          const response = await step(client);
          body = await response.text();
          status = response.status;
        } catch (error) {
          status = `no response: ${String(error)}`;
        }
        const ms = performance.now() - started;
        const times = latencies.get(route) ?? [];
        times.push(ms);
        latencies.set(route, times);
        const counts = statuses.get(route) ?? {};
        counts[String(status)] = (counts[String(status)] ?? 0) + 1;
        statuses.set(route, counts);
        if (typeof status !== "number" || status >= 500)
          failures.push({ route, status, body: body.slice(0, 300) });
      }
    }),
  );
  const routes: SoakReport["routes"] = {};
  for (const [route, values] of latencies) {
    const [p50 = 0, p95 = 0] = percentiles(values, [0.5, 0.95]);
    routes[route] = {
      requests: values.length,
      statuses: statuses.get(route) ?? {},
      p50,
      p95,
      reqPerSecond: values.length / options.seconds,
    };
  }
  return { seconds: options.seconds, clients: options.clients, routes, failures };
}

/** The report as a markdown table. */
export function soakTable(report: SoakReport): string {
  const lines = [
    "| route | requests | req/s | p50 ms | p95 ms | statuses |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const [route, s] of Object.entries(report.routes)) {
    const codes = Object.entries(s.statuses)
      .map(([code, n]) => `${code}: ${n}`)
      .join(", ");
    lines.push(
      `| ${route} | ${s.requests} | ${s.reqPerSecond.toFixed(1)} | ${s.p50.toFixed(0)} | ${s.p95.toFixed(0)} | ${codes} |`,
    );
  }
  return lines.join("\n");
}
