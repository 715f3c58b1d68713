/**
 * `npm run test:terrain`: does the app run on CDK Terrain (`cdktn`, the community continuation of the
 * archived CDK for Terraform)? In a scratch copy (.tmp/cdk-terrain) the `cdktf` package is mapped to
 * `cdktn` (npm `overrides`, so the @cdktf/provider-aws bindings load it too) and `constructs` raised to
 * the range cdktn asks for; then the app typechecks, and every shipped config synthesizes to the same
 * Terraform JSON as with cdktf 0.21 here (the same document: cdktn writes an empty object on one line,
 * and stamps its own version). Needs the npm registry. Ends with "N passed, N failed". The project
 * itself stays on cdktf 0.21.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shippedConfigs } from "../__tests__/synth-baseline";
import { ROOT, run, SCRATCH, tail } from "./lib/tools";
import { endTier } from "./lib/tier-report";

/** The CDK Terrain release tried, and the constructs version inside its peer range (>=10.6.0 <10.8.0). */
export const CDK_TERRAIN = { cdktn: "0.24.0", constructs: "10.7.0" };
const DIR = join(SCRATCH, "cdk-terrain");
/** What the app and the baseline comparison read; nothing of the tests, scripts or e2e. */
const COPIED = ["main.ts", "src", "config", "examples", "tsconfig.json", "package.json"];
/** Enough to typecheck and run the app. */
const DEV_DEPENDENCIES = ["tsx", "typescript", "@types/node"];

/** package.json with cdktf mapped to cdktn everywhere, and only what the check runs. */
export function terrainPackage(pkg: { dependencies: Record<string, string>; devDependencies: Record<string, string>; [key: string]: unknown }) {
  const alias = `npm:cdktn@${CDK_TERRAIN.cdktn}`;
  return {
    name: pkg.name,
    version: pkg.version,
    private: true,
    dependencies: { ...pkg.dependencies, cdktf: alias, constructs: CDK_TERRAIN.constructs },
    devDependencies: Object.fromEntries(DEV_DEPENDENCIES.map((name) => [name, pkg.devDependencies[name]])),
    overrides: { cdktf: alias, constructs: CDK_TERRAIN.constructs },
  };
}

async function main(): Promise<void> {
  const outcomes: Array<{ name: string; ok: boolean; detail?: string }> = [];
  const step = (name: string, ok: boolean, detail?: string) => {
    outcomes.push({ name, ok, detail });
    console.log(`  ${ok ? "ok  " : "FAIL"}   ${name}${detail && !ok ? `\n${detail}` : ""}`);
    return ok;
  };
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  for (const path of COPIED) cpSync(join(ROOT, path), join(DIR, path), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  writeFileSync(join(DIR, "package.json"), `${JSON.stringify(terrainPackage(pkg), null, 2)}\n`);
  // Only the app's own sources: the tests and scripts import what this copy does not install.
  writeFileSync(join(DIR, "tsconfig.json"), JSON.stringify({ extends: "./tsconfig.base.json", include: ["main.ts", "src/**/*.ts"] }));
  cpSync(join(ROOT, "tsconfig.json"), join(DIR, "tsconfig.base.json"));

  console.log(`CDK Terrain: cdktf -> cdktn@${CDK_TERRAIN.cdktn}, constructs ${CDK_TERRAIN.constructs}, in ${DIR}`);
  const started = Date.now();
  const install = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=warn"], { cwd: DIR, timeoutSeconds: 600 });
  if (step(`npm install (${((Date.now() - started) / 1000).toFixed(0)} s)`, install.code === 0, tail(install))) {
    const resolved = JSON.parse(readFileSync(join(DIR, "node_modules", "cdktf", "package.json"), "utf8"));
    step(`"cdktf" resolves to cdktn@${CDK_TERRAIN.cdktn}, for the app and the provider bindings alike`, resolved.name === "cdktn" && resolved.version === CDK_TERRAIN.cdktn, JSON.stringify(resolved.name));
    const typecheck = await run("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"], { cwd: DIR, timeoutSeconds: 300 });
    step("the app typechecks against cdktn's API", typecheck.code === 0, tail(typecheck));
    for (const config of shippedConfigs()) {
      const [today, terrain] = await Promise.all([synthesized(ROOT, config), synthesized(DIR, config)]);
      const difference = typeof today === "string" ? today : typeof terrain === "string" ? terrain : firstDifference(today, terrain);
      step(`${config}: the same Terraform JSON as with cdktf 0.21`, difference === undefined, difference);
    }
  }
  endTier(outcomes.map((o) => ({ ...o, name: `terrain: ${o.name}` })));
}

/** The stack's Terraform document as the app in `root` writes it for `config`, or why it could not. */
async function synthesized(root: string, config: string): Promise<unknown> {
  const outdir = join(DIR, "out", root === ROOT ? "cdktf" : "cdktn", config.replace(/\//g, "_"));
  mkdirSync(outdir, { recursive: true }); // App creates only the last level of CDKTF_OUTDIR
  const result = await run(process.execPath, ["--import", "tsx", "main.ts"], { cwd: root, env: { ...process.env, CONFIG: join(ROOT, config), CDKTF_OUTDIR: outdir }, timeoutSeconds: 300 });
  if (result.code !== 0) return `synth failed in ${root}: ${tail(result)}`;
  const [stack] = readdirSync(join(outdir, "stacks"));
  return JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8").split(root).join("<cwd>"));
}

/** The first path at which two documents differ (the CDK's own version stamp aside), or undefined. */
export function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (path === "//.metadata.version") return undefined;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || a === null || b === null || typeof a !== "object") {
    return JSON.stringify(a) === JSON.stringify(b) ? undefined : `${path || "(document)"}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`;
  }
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
  for (const key of keys) {
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

if (require.main === module) void main();
