import { createApp } from "./app.ts";
import { queue, scheduled } from "./background.ts";

const app = createApp();

/** The Worker's entry (wrangler.toml `main`): the API and page, the embed queues, the nightly sweep. */
export default {
  fetch: app.fetch,
  queue,
  scheduled,
} satisfies ExportedHandler<Record<string, unknown>>;
