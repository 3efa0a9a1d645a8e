import WebSocket from "ws";

/** V8's heap figures for the Worker's isolate, in MB. */
export interface IsolateHeap {
  /** JavaScript objects in use. */
  usedMb: number;
  /** The JavaScript heap as allocated. */
  totalMb: number;
  /** ArrayBuffer backing stores (the model's bytes live here); wasm linear memory is not counted. */
  backingMb: number;
}

/**
 * Reads the isolate's live heap through the DevTools protocol of `wrangler
 * dev --inspector-port PORT` (a heap snapshot, which collects garbage, then
 * Runtime.getHeapUsage): the isolate's own memory, which workerd's RSS hides
 * under the runtime's. Attaching a debugger changes how code is compiled, so
 * call it once, at the end of a measurement.
 */
export async function isolateHeap(inspectorPort: number): Promise<IsolateHeap> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectorPort}`);
  const socket = new WebSocket(url);
  try {
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const replies = new Map<number, (result: unknown) => void>();
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) replies.get(message.id)?.(message.result);
    });
    let next = 0;
    const call = <T>(method: string, params: object = {}) =>
      new Promise<T>((resolve) => {
        const id = ++next;
        replies.set(id, (result) => resolve(result as T));
        socket.send(JSON.stringify({ id, method, params }));
      });
    // workerd does not answer HeapProfiler.collectGarbage; a heap snapshot
    // (its chunks ignored) collects garbage first, so the figures are live data.
    await call("HeapProfiler.enable");
    await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const usage = await call<{ usedSize: number; totalSize: number; backingStorageSize?: number }>(
      "Runtime.getHeapUsage",
    );
    const mb = (bytes: number) => bytes / 2 ** 20;
    return {
      usedMb: mb(usage.usedSize),
      totalMb: mb(usage.totalSize),
      backingMb: mb(usage.backingStorageSize ?? 0),
    };
  } finally {
    socket.close();
  }
}
