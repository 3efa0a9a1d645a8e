import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeVars, localSecret } from "../../scripts/lib/local-settings.ts";
import { jwtSecret } from "../../scripts/token.ts";

describe("what npm start hands the Worker, and npm run token reads back", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("forwards Claude's key, base URL and model when set", () => {
    expect(
      claudeVars({
        ANTHROPIC_API_KEY: "k",
        ANTHROPIC_BASE_URL: "https://gateway.example/anthropic",
        ANTHROPIC_MODEL: "claude-x",
        OTHER: "no",
      }),
    ).toEqual({
      ANTHROPIC_API_KEY: "k",
      ANTHROPIC_BASE_URL: "https://gateway.example/anthropic",
      ANTHROPIC_MODEL: "claude-x",
    });
    expect(claudeVars({ ANTHROPIC_BASE_URL: "" })).toEqual({});
  });

  it("signs tokens with the secret npm start keeps, when nothing else names one", () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "marquee-home-"));
    try {
      const secret = localSecret(home, "jwt-secret");
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(localSecret(home, "jwt-secret")).toBe(secret);
      delete process.env.JWT_SECRET;
      process.env.MARQUEE_HOME = home;
      expect(jwtSecret()).toBe(secret);
      process.env.JWT_SECRET = "from-env";
      expect(jwtSecret()).toBe("from-env");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
