import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

// The Worker serves web/dist as static assets beside /api, same origin. In
// `npm run web:dev` Vite proxies /api to `wrangler dev` (WORKER_URL to change it).
export default defineConfig({
  root,
  plugins: [react()],
  resolve: {
    // cmdk's Command.Dialog is unused; its Radix dialog would be dead weight (stub says why).
    alias: {
      "@radix-ui/react-dialog": fileURLToPath(
        new URL("src/stubs/radix-dialog.ts", import.meta.url),
      ),
    },
  },
  // The scripts that build the page may run under a test runner
  // (NODE_ENV=test); the page always ships React's production build.
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": process.env.WORKER_URL ?? "http://127.0.0.1:8787",
    },
  },
});
