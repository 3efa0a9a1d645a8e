import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../../embed-pipeline/src/free-port.ts";

const root = path.resolve(import.meta.dirname, "../..");
const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");

/** Runs `npm run pipeline -- ...args` the way a person would, returning exit code and output. */
async function pipeline(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [tsx, "embed-pipeline/src/cli.ts", ...args],
      {
        cwd: root,
        env: { ...process.env, MODELS_DIR: inject("modelsDir"), ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("pipeline CLI", () => {
  it("prints one JSON vector per text", async () => {
    const { code, stdout } = await pipeline([
      "vector",
      "This is an example sentence",
      "Each sentence is converted",
    ]);
    expect(code).toBe(0);
    const vectors = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as number[]);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(384);
    expect(vectors[0]?.[0]).toBeCloseTo(0.0677, 4);
  });

  it("stops with a clear message when the data folder is missing", async () => {
    const { code, stderr } = await pipeline(["ingest", "--data-dir", "/nonexistent/data"], {
      DATABASE_URL: inject("postgresUrl"),
    });
    expect(code).toBe(1);
    expect(stderr).toContain("error: data folder not found: /nonexistent/data");
  });

  it("names Chroma when it cannot be reached", async () => {
    const { code, stderr } = await pipeline(["embed", "--variant", "int8"], {
      DATABASE_URL: inject("postgresUrl"),
      CHROMA_URL: `http://127.0.0.1:${await freePort()}`,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/error: cannot reach Chroma at http:\/\/127\.0\.0\.1:\d+/);
  });

  it("names Postgres when it cannot be reached", async () => {
    const { code, stderr } = await pipeline(["embed"], {
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/test",
    });
    expect(code).toBe(1);
    expect(stderr).toContain(
      "error: cannot reach Postgres at postgres://postgres@127.0.0.1:1/test",
    );
  });

  it("says so when CUDA is asked for and missing", async () => {
    const { code, stdout, stderr } = await pipeline(["vector", "--device", "cuda", "x"]);
    if (code === 0) {
      // A machine with a working CUDA provider embeds on the GPU instead.
      expect(JSON.parse(stdout)).toHaveLength(384);
    } else {
      expect(code).toBe(1);
      expect(stderr).toMatch(/error: CUDA unavailable \(.+\)/);
    }
  });

  it("rejects a bad option value", async () => {
    const { code, stderr } = await pipeline(["embed", "--batch-size", "0"]);
    expect(code).toBe(1);
    expect(stderr).toContain("expected a positive integer");
  });
});
