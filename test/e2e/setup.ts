import type { TestProject } from "vitest/node";
import { findBrowser, NO_BROWSER } from "../../scripts/lib/browser.ts";
import { startE2eStack } from "../../scripts/lib/e2e-stack.ts";
import { stopTestPostgres, testPostgres } from "../helpers/test-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:PORT where `wrangler dev` serves the page and the API. */
    e2eBase: string;
    /** The stack's scratch Postgres database. */
    e2eDatabaseUrl: string;
    /** The stack's ADMIN_TOKEN, for catalog writes. */
    e2eAdminToken: string;
    /** The Chromium or Chrome the tests drive; "" when none is installed (the tests are skipped). */
    browserPath: string;
  }
}

/**
 * Starts the stack once for the whole run and stops it afterwards. With
 * E2E_BASE and E2E_DATABASE_URL (and E2E_ADMIN_TOKEN) set, the tests use a
 * stack already running (one started by startE2eStack), which makes
 * iterating on them quick.
 */
export default async function setup(project: TestProject) {
  const browser = findBrowser();
  project.provide("browserPath", browser ?? "");
  if (!browser) {
    // One clear line; the tests then count as skipped, not passed.
    console.warn(NO_BROWSER);
    project.provide("e2eBase", "");
    project.provide("e2eDatabaseUrl", "");
    project.provide("e2eAdminToken", "");
    return;
  }
  if (process.env.E2E_BASE && process.env.E2E_DATABASE_URL) {
    project.provide("e2eBase", process.env.E2E_BASE);
    project.provide("e2eDatabaseUrl", process.env.E2E_DATABASE_URL);
    project.provide("e2eAdminToken", process.env.E2E_ADMIN_TOKEN ?? "");
    return;
  }
  const postgres = await testPostgres((line) => console.log(line));
  const stack = await startE2eStack({ adminUrl: postgres.url });
  project.provide("e2eBase", stack.base);
  project.provide("e2eDatabaseUrl", stack.databaseUrl);
  project.provide("e2eAdminToken", stack.adminToken);
  return async () => {
    await stack.stop();
    await stopTestPostgres(postgres.embeddedDir);
  };
}
