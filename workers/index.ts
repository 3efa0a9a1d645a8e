import { createApp } from "./app.ts";

/** The Worker's entry: wrangler.toml `main`. */
export default createApp();
