import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    setupFiles: ["__tests__/setup.ts"],
    globalSetup: ["__tests__/global-setup.ts"],
    // Whole-stack synths are CPU-bound. vitest's default is one worker fewer than the cores: on CI's two
    // cores that is one, with the main thread idle. Every core works.
    pool: "threads",
    maxWorkers: availableParallelism(),
    // The provider bindings take most of a file's start-up: a worker imports them once for all its files, not
    // once per file (100 s -> 58 s here). No test relies on a fresh module: each builds its own App and stacks.
    isolate: false,
    testTimeout: 30_000,
  },
});
