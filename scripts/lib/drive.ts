/** Runs `task` from `concurrency` loops for `seconds`; returns every latency and the count. */
export async function drive(
  seconds: number,
  concurrency: number,
  task: (i: number) => Promise<number | undefined>,
) {
  const client: number[] = [];
  const server: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          const serverMs = await task(next++);
          client.push(performance.now() - started);
          if (serverMs !== undefined) server.push(serverMs);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { client, server, errors, throughput: client.length / seconds };
}
