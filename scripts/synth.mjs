// `npm run synth` and cdktf.json's app: runs the app as precompiled JavaScript (dist/main.js, built by
// scripts/build.mjs when a source changed). It writes exactly what `cdktf synth` writes (cdktf.out/, or
// CDKTF_OUTDIR when the cdktf CLI sets it), in about a third of the time of the TypeScript loader.
import { createRequire } from "node:module";
import { BUNDLE, ensureBuilt } from "./build.mjs";

await ensureBuilt();
createRequire(import.meta.url)(BUNDLE);
