import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [svelte()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Never inline assets as data: URLs, so the CSP needs no `data:` source.
    assetsInlineLimit: 0,
    // No modulepreload polyfill: it is an extra script and every target supports modulepreload.
    modulePreload: { polyfill: false },
    target: "es2022",
  },
  server: {
    // `npm run dev` against a running `muster serve`.
    proxy: { "/api": "http://127.0.0.1:4817" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
