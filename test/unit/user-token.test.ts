import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mintUserToken, TokenRejected, verifyUserToken } from "../../core/auth/user-token.ts";

const SECRET = "unit-test-secret-0123456789";
const root = path.resolve(import.meta.dirname, "../..");

describe("user tokens", () => {
  it("round-trips the user id", async () => {
    expect(await verifyUserToken(await mintUserToken(42, SECRET, 60), SECRET)).toBe(42);
  });

  it.each([
    ["an expired token", () => mintUserToken(42, SECRET, -5), SECRET, /expired/],
    [
      "another secret",
      () => mintUserToken(42, "another-secret-0123456789", 60),
      SECRET,
      /signature/,
    ],
    ["garbage", async () => "abc.def.ghi", SECRET, /malformed/],
  ])("refuses %s", async (_, make, secret, message) => {
    await expect(verifyUserToken(await make(), secret)).rejects.toThrow(TokenRejected);
    await expect(verifyUserToken(await make(), secret)).rejects.toThrow(message);
  });

  it("npm run token mints a token the Worker accepts", async () => {
    const token = execFileSync(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/token.ts", "17", "--ttl", "10m"],
      { cwd: root, env: { ...process.env, JWT_SECRET: SECRET } },
    )
      .toString()
      .trim();
    expect(await verifyUserToken(token, SECRET)).toBe(17);
  });
});
