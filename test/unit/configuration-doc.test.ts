import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configurationDoc } from "../../scripts/lib/configuration-doc.ts";

const root = path.resolve(import.meta.dirname, "../..");

describe("docs/configuration.md", () => {
  it("is what the settings' schemas say (npm run docs:config rewrites it)", () => {
    const written = readFileSync(path.join(root, "docs/configuration.md"), "utf8");
    expect(written).toBe(configurationDoc());
  });

  it("describes every setting", () => {
    for (const line of configurationDoc()
      .split("\n")
      .filter((l) => l.startsWith("| `")))
      expect(line.split("|")[3]?.trim(), line).not.toBe("");
  });
});
