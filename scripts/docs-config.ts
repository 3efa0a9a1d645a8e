/** `npm run docs:config`: writes docs/configuration.md from the settings' schemas. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { configurationDoc } from "./lib/configuration-doc.ts";

const target = path.resolve(import.meta.dirname, "../docs/configuration.md");
writeFileSync(target, configurationDoc());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
