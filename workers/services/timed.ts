/** Runs `run`, recording its duration in `timings[name]`. */
export async function timed<T>(
  timings: Record<string, number>,
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    timings[name] = Date.now() - started;
  }
}
