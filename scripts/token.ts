/**
 * `npm run token -- <userId> [--ttl 7d]`: mints a user token for local use,
 * signed with JWT_SECRET from the environment, .dev.vars (`npm run dev`), or
 * the secret `npm start` keeps under MARQUEE_HOME.
 */
import { existsSync, readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { mintUserToken } from "../core/auth/user-token.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { existingLocalSecret } from "./lib/local-settings.ts";

/** JWT_SECRET from the environment, else .dev.vars (what `wrangler dev` reads), else `npm start`'s. */
export function jwtSecret(): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  if (existsSync(".dev.vars")) {
    const line = readFileSync(".dev.vars", "utf8")
      .split("\n")
      .find((l) => l.startsWith("JWT_SECRET="));
    if (line) return line.slice("JWT_SECRET=".length).trim().replace(/^"|"$/g, "");
  }
  const started = existingLocalSecret(loadConfig().MARQUEE_HOME, "jwt-secret");
  if (started) return started;
  throw new Error(
    "JWT_SECRET is not set (environment or .dev.vars), and `npm start` has not run here yet",
  );
}

function duration(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match) throw new InvalidArgumentError("use a number and s, m, h or d, e.g. 7d");
  const unit = { s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

const program = new Command("token")
  .description("mint a demo user token (HS256, sub = MovieLens user id)")
  .argument("<userId>", "user id", (v) => {
    if (!/^[1-9]\d{0,9}$/.test(v)) throw new InvalidArgumentError("a positive integer");
    return Number(v);
  })
  .option("--ttl <duration>", "lifetime, e.g. 30m, 12h, 7d", duration, 7 * 86_400)
  .action(async (userId: number, options: { ttl: number }) => {
    console.log(await mintUserToken(userId, jwtSecret(), options.ttl));
  });

if (import.meta.url === `file://${process.argv[1]}`) await program.parseAsync();
