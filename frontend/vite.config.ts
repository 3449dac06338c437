import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// One bundle with fixed names (editor.js, editor.css) so the Django template never changes and the build is
// deterministic: CI rebuilds it and fails when the committed static/editor/ differs.
export default defineConfig({
  plugins: [react()],
  base: "/static/editor/",
  build: {
    outDir: "../static/editor",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2020",
    cssCodeSplit: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: "src/main.tsx",
      output: {
        entryFileNames: "editor.js",
        assetFileNames: "editor[extname]",
        chunkFileNames: "editor-[name].js",
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
  },
});
