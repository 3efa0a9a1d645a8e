import { closeSync, createReadStream, existsSync, openSync, readSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import type { z } from "zod";

/** A problem with one row of an input file; the row is skipped, the run goes on. */
export interface RowProblem {
  file: string;
  line: number;
  message: string;
}

/** A required input is missing or unreadable: nothing may be written. */
export class InputFileError extends Error {
  override readonly name = "InputFileError";
}

export interface CsvRow<T> {
  line: number;
  value: T;
}

/** "movielens-small/ratings.csv": how problems name a file. */
export const fileLabel = (file: string) =>
  `${path.basename(path.dirname(file))}/${path.basename(file)}`;

/**
 * Checks that `file` exists and that its header has `requiredColumns`, reading
 * only its first line: a run checks every input this way before it writes
 * anything, then streams the files.
 */
export function checkHeader(file: string, requiredColumns: readonly string[]): void {
  if (!existsSync(file)) throw new InputFileError(`missing input file: ${file}`);
  const fd = openSync(file, "r");
  const head = Buffer.alloc(64 * 1024);
  const read = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const firstLine = head.subarray(0, read).toString("utf8").split(/\r?\n/, 1)[0] ?? "";
  let header: string[];
  try {
    header = (parseSync(firstLine, { bom: true }) as string[][])[0] ?? [];
  } catch (cause) {
    throw new InputFileError(`${fileLabel(file)}: cannot parse its header`, { cause });
  }
  const missing = requiredColumns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputFileError(`${fileLabel(file)}: header lacks column(s) ${missing.join(", ")}`);
  }
}

/**
 * Streams a CSV file with a header row, validating each record with `schema`,
 * so that a file of any size is read in constant memory. Malformed rows (bad
 * quoting, wrong column count, values the schema rejects) are pushed to
 * `problems` with file and line and skipped. CRLF and LF endings are both fine.
 */
export async function* csvRows<S extends z.ZodType>(
  file: string,
  schema: S,
  problems: RowProblem[],
): AsyncGenerator<CsvRow<z.infer<S>>> {
  const name = fileLabel(file);
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      columns: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        problems.push({
          file: name,
          line: Number(err?.lines ?? 0),
          message: err?.message ?? "bad row",
        });
        return undefined;
      },
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const result = schema.safeParse(record);
      if (result.success) {
        yield { line: info.lines, value: result.data };
      } else {
        const message = result.error.issues
          .map((i) => `${i.path.join(".") || "row"}: ${i.message}`)
          .join("; ");
        problems.push({ file: name, line: info.lines, message });
      }
    }
  } catch (cause) {
    throw new InputFileError(`${name}: cannot parse: ${(cause as Error).message}`, { cause });
  }
}

/** The valid rows of a small file, in memory (the enrichment files: one row per film at most). */
export async function readCsv<S extends z.ZodType>(
  file: string,
  schema: S,
  problems: RowProblem[],
): Promise<CsvRow<z.infer<S>>[]> {
  const rows: CsvRow<z.infer<S>>[] = [];
  for await (const row of csvRows(file, schema, problems)) rows.push(row);
  return rows;
}
