import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
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

export interface CsvRows<T> {
  rows: { line: number; value: T }[];
  problems: RowProblem[];
}

/**
 * Reads a CSV file with a header row and validates each record with `schema`.
 * Malformed rows (bad quoting, wrong column count, values the schema rejects)
 * become problems naming file and line. CRLF and LF endings are both fine.
 */
export function readCsv<S extends z.ZodType>(
  file: string,
  schema: S,
  requiredColumns: readonly string[],
): CsvRows<z.infer<S>> {
  if (!existsSync(file)) throw new InputFileError(`missing input file: ${file}`);
  const name = `${path.basename(path.dirname(file))}/${path.basename(file)}`;
  const problems: RowProblem[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(readFileSync(file), {
      bom: true,
      columns: (header: string[]) => {
        const missing = requiredColumns.filter((c) => !header.includes(c));
        if (missing.length > 0) {
          throw new InputFileError(`${name}: header lacks column(s) ${missing.join(", ")}`);
        }
        return header;
      },
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
    });
  } catch (cause) {
    if (cause instanceof InputFileError) throw cause;
    throw new InputFileError(`${name}: cannot parse: ${(cause as Error).message}`, { cause });
  }
  const rows: { line: number; value: z.infer<S> }[] = [];
  for (const { record, info } of records) {
    const result = schema.safeParse(record);
    if (result.success) {
      rows.push({ line: info.lines, value: result.data });
    } else {
      const message = result.error.issues
        .map((i) => `${i.path.join(".") || "row"}: ${i.message}`)
        .join("; ");
      problems.push({ file: name, line: info.lines, message });
    }
  }
  return { rows, problems };
}
