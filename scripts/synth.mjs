// `npm run synth` and cdktf.json's app: runs the app as precompiled JavaScript (dist/main.js, built by
// scripts/build.mjs when a source changed). It writes exactly what `cdktf synth` writes (cdktf.out/, or
// CDKTF_OUTDIR when the cdktf CLI sets it), in about a third of the time of the TypeScript loader.
//
// The bundle is compiled through V8's code cache (dist/main.js.cache, written after a run that had none
// or whose cache V8 rejected, e.g. after a Node upgrade): compiling the 4 MB bundle is a tenth of a synth.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";
import { BUNDLE, ensureBuilt } from "./build.mjs";

await ensureBuilt();
const cachePath = `${BUNDLE}.cache`;
const cachedData = existsSync(cachePath) ? readFileSync(cachePath) : undefined;
const script = new vm.Script(Module.wrap(readFileSync(BUNDLE, "utf8")), { filename: BUNDLE, cachedData });
const module = new Module(BUNDLE);
module.filename = BUNDLE;
module.paths = Module._nodeModulePaths(dirname(BUNDLE));
// The app calls process.exit on bad input; the cache is written on the way out either way.
process.on("exit", (code) => {
  if (code === 0) removeStaleStacks();
  if (code !== 0 || (cachedData && !script.cachedDataRejected)) return;
  const partial = `${cachePath}.${process.pid}`;
  writeFileSync(partial, script.createCachedData());
  renameSync(partial, cachePath);
});
script.runInThisContext().call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));

/**
 * Leaves in the output folder only the stacks this synth wrote (its manifest's), as `cdktf synth` does:
 * a stack folder of another config (an earlier CONFIG) would otherwise sit beside them, unlisted. Run
 * by the cdktf CLI (CDKTF_OUTDIR set), the CLI manages its own folder.
 */
function removeStaleStacks() {
  if (process.env.CDKTF_OUTDIR) return;
  const outdir = "cdktf.out";
  const manifest = join(outdir, "manifest.json");
  if (!existsSync(manifest)) return;
  const current = new Set(Object.values(JSON.parse(readFileSync(manifest, "utf8")).stacks ?? {}).map((stack) => stack.workingDirectory.split("/").pop()));
  const stacks = join(outdir, "stacks");
  for (const name of existsSync(stacks) ? readdirSync(stacks) : []) if (!current.has(name)) rmSync(join(stacks, name), { recursive: true, force: true });
}
