import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The Claude settings of this shell that `npm start` hands the Worker: the
 * key, and a gateway or proxy in front of the API and the model, as a
 * deployment sets them.
 */
export function claudeVars(env: NodeJS.ProcessEnv): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const name of ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"]) {
    const value = env[name];
    if (value) vars[name] = value;
  }
  return vars;
}

/**
 * A random secret kept under MARQUEE_HOME (created on first use), so that
 * tokens survive restarts and `npm run token` signs with what `npm start`
 * gave the Worker.
 */
export function localSecret(home: string, name: string): string {
  const file = path.join(home, name);
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

/** A secret `npm start` keeps, or undefined when it never ran here. */
export function existingLocalSecret(home: string, name: string): string | undefined {
  const file = path.join(home, name);
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}
