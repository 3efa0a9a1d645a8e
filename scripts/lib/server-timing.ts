/** The stage durations (ms) a Worker response reports in its Server-Timing header. */
export function serverTiming(
  response: Response | { serverTiming: string },
): Record<string, number> {
  const header =
    "headers" in response ? (response.headers.get("server-timing") ?? "") : response.serverTiming;
  const out: Record<string, number> = {};
  for (const part of header.split(",")) {
    const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (match) out[match[1] as string] = Number(match[2]);
  }
  return out;
}
