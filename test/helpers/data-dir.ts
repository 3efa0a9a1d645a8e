import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SOURCE_FILES } from "../../embed-pipeline/src/ingest/sources.ts";

/**
 * A data folder with the first `movies` movies of the real data and every
 * row of the other files that refers to them, plus the enrichment files
 * untouched. Small enough to embed in a test, real enough to mean something.
 */
export function subsetDataDir(source: string, movies: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-data-"));
  const read = (key: keyof typeof SOURCE_FILES) =>
    readFileSync(path.join(source, SOURCE_FILES[key]), "utf8").split(/\r?\n/).filter(Boolean);
  const write = (key: keyof typeof SOURCE_FILES, lines: string[]) => {
    const file = path.join(dir, SOURCE_FILES[key]);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${lines.join("\n")}\n`);
  };
  const [movieHeader = "", ...movieRows] = read("movies");
  const kept = movieRows.slice(0, movies);
  const ids = new Set(kept.map((line) => line.split(",")[0]));
  write("movies", [movieHeader, ...kept]);
  for (const key of ["ratings", "tags", "links"] as const) {
    const [header = "", ...rows] = read(key);
    const column = key === "links" ? 0 : 1;
    write(key, [header, ...rows.filter((line) => ids.has(line.split(",")[column]))]);
  }
  for (const key of ["tmdb", "imdb"] as const) {
    const file = path.join(dir, SOURCE_FILES[key]);
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync(path.join(source, SOURCE_FILES[key]), file);
  }
  return dir;
}

/** Writes a file into a data folder, creating its sub-folder. */
export function writeDataFile(dir: string, key: keyof typeof SOURCE_FILES, content: string): void {
  const file = path.join(dir, SOURCE_FILES[key]);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}
