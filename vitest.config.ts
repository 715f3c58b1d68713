import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    setupFiles: ["__tests__/setup.ts"],
    // Whole-stack synths are CPU-bound; two cores on CI.
    pool: "threads",
    testTimeout: 30_000,
  },
});
