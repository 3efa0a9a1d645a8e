import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

export type CopyValue = string | number | boolean | null | readonly string[];

/** Lines sent to the server per write: one write per line costs more than the COPY itself. */
const LINES_PER_WRITE = 2_000;

/**
 * Streams rows into `table` with `COPY ... FROM STDIN` on `client` (inside
 * whatever transaction the client is in), holding only one batch of lines in
 * memory: Postgres' fastest way in, and any number of rows. Returns how many
 * rows were sent.
 */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: AsyncIterable<readonly CopyValue[]>,
): Promise<number> {
  let count = 0;
  async function* lines() {
    let batch = "";
    let inBatch = 0;
    for await (const row of rows) {
      batch += `${row.map(copyField).join("\t")}\n`;
      count += 1;
      if (++inBatch === LINES_PER_WRITE) {
        yield batch;
        batch = "";
        inBatch = 0;
      }
    }
    if (batch) yield batch;
  }
  const sink = client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`));
  await pipeline(Readable.from(lines()), sink);
  return count;
}

/** One field in COPY's text format; arrays as array literals with every element quoted. */
function copyField(value: CopyValue): string {
  if (value === null) return "\\N";
  if (typeof value === "string") return escapeText(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const elements = value.map((e) => `"${e.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`);
  return escapeText(`{${elements.join(",")}}`);
}

// COPY's text format reads backslash escapes, and tab and newline end a field or a row.
const escapeText = (s: string) =>
  s
    .replaceAll("\\", "\\\\")
    .replaceAll("\t", "\\t")
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r");
