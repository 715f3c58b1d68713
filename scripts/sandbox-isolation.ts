/**
 * Sandbox isolation tier: the sandbox (`npm run sandbox:up` / `sandbox:down`) and the real cdktf path
 * (`cdktf diff` / `cdktf deploy` into cdktf.out/) share one checkout, in either order, without
 * "Backend configuration changed". Ends with "N passed, N failed".
 *
 * One cycle proves both orders:
 *   1. real    `cdktf diff` (offline: CONFIG__sandbox=true, provider mirror) — initializes cdktf.out/
 *   2. sandbox `npm run sandbox:up`   — real first, then sandbox
 *   3. real    `cdktf diff` again     — sandbox up first, then real
 *   4. sandbox `npm run sandbox:down` — still works after the real command ran in between
 * Steps 2–4 are the "sandbox first" order (up, real command, down); steps 1–2 are the "real first"
 * order. The one case the cycle does not replay literally, sandbox:up in a checkout with no cdktf.out/
 * yet, is covered by step 2 proving that sandbox:up neither writes nor replaces anything in cdktf.out/
 * (every file's content and mtime unchanged): it does not depend on what cdktf.out/ holds. After each
 * step both folders are checked for the backend they must name, in the synthesized cdk.tf.json and in
 * Terraform's own record of the initialized backend (.terraform/terraform.tfstate), which is what
 * `terraform init` compares when it reports the backend as changed.
 *
 * The real path uses the default config (CONFIG and CONFIG__* from the environment are ignored) and
 * re-synthesizes cdktf.out/ as `CONFIG__sandbox=true npx cdktf diff` would. The sandbox is always taken
 * down at the end, failure and Ctrl-C included; a terraform.<app>.tfstate in the project root is removed
 * only if this test created it. Refuses to run while a sandbox is up (it would deploy into and destroy it).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { requireTool, ROOT, run, RunResult, SCRATCH, tail, terraformEnv } from "./lib/tools";
import { endTier } from "./lib/tier-report";

const REAL_OUT = join(ROOT, "cdktf.out");
const SANDBOX_DIR = join(SCRATCH, "sandbox");
const SANDBOX_OUT = join(SANDBOX_DIR, "cdktf.out");
const SANDBOX_STATE = join(SANDBOX_DIR, "terraform.tfstate");
const STEP_TIMEOUT_SECONDS = 900;

interface Step {
  readonly name: string;
  readonly seconds: number;
  readonly ok: boolean;
  readonly problems: string[];
}

/** The environment of every command: the default config, whatever the caller's shell has set. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = terraformEnv();
  for (const key of Object.keys(env)) if (key === "CONFIG" || key.startsWith("CONFIG__")) delete env[key];
  return env;
}

/** The real path, offline: sandbox mode makes the provider plan with fake credentials and no lookups. */
function realDiff(): Promise<RunResult> {
  return run("npx", ["cdktf", "diff", "--skip-provider-lock"], {
    env: { ...baseEnv(), CONFIG__sandbox: "true" },
    timeoutSeconds: STEP_TIMEOUT_SECONDS,
  });
}

/** `npm run sandbox:<command>`, with the default config unless another CONFIG is given. */
function sandbox(command: "up" | "down", config?: string): Promise<RunResult> {
  return run("npm", ["run", `sandbox:${command}`], { env: { ...baseEnv(), ...(config ? { CONFIG: config } : {}) }, timeoutSeconds: STEP_TIMEOUT_SECONDS });
}

/** Another config than the one the sandbox is brought up with: `up` must refuse it, `down` must not use it. */
const OTHER_CONFIG = "examples/seed-004-github-actions.json";

/** Every file under dir (symlinks not followed) with its mtime, size and content hash. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      const st = lstatSync(path);
      if (entry.isDirectory()) walk(path);
      else if (entry.isSymbolicLink()) files.set(relative(dir, path), `link ${readlinkSync(path)} ${st.mtimeMs}`);
      else files.set(relative(dir, path), `${st.mtimeMs} ${st.size} ${createHash("sha1").update(readFileSync(path)).digest("hex")}`);
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
}

/** What changed between two snapshots, as short lines (empty when nothing did). */
function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, sig] of before) {
    if (!after.has(path)) out.push(`removed ${path}`);
    else if (after.get(path) !== sig) out.push(`changed ${path}`);
  }
  for (const path of after.keys()) if (!before.has(path)) out.push(`added ${path}`);
  return out;
}

interface Backend {
  readonly stack: string;
  /** The local backend path in the synthesized cdk.tf.json. */
  readonly synthesized?: string;
  /** The local backend path `terraform init` recorded in the stack's .terraform/terraform.tfstate. */
  readonly initialized?: string;
}

/** The backend each stack of an output folder names (synthesized and initialized). */
function backends(outDir: string): Backend[] {
  const manifestPath = join(outDir, "manifest.json");
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { stacks: Record<string, { name: string; workingDirectory: string }> };
  return Object.values(manifest.stacks).map((s) => {
    const dir = join(outDir, s.workingDirectory);
    const tf = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
    const recordPath = join(dir, ".terraform", "terraform.tfstate");
    const record = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : undefined;
    return {
      stack: s.name,
      synthesized: tf.terraform?.backend?.local?.path,
      initialized: record?.backend?.type === "local" ? record.backend.config?.path : record?.backend?.type,
    };
  });
}

/** Problems with an output folder's backends: each stack must name `expected(stack)`, synthesized and initialized. */
function backendProblems(label: string, outDir: string, expected: (stack: string) => string): string[] {
  const found = backends(outDir);
  if (found.length === 0) return [`${label}: no synthesized stack in ${relative(ROOT, outDir)}`];
  const problems: string[] = [];
  for (const b of found) {
    const want = expected(b.stack);
    if (b.synthesized !== want) problems.push(`${label} ${b.stack}: cdk.tf.json backend ${b.synthesized ?? "(none)"}, expected ${want}`);
    if (b.initialized !== want) problems.push(`${label} ${b.stack}: initialized backend ${b.initialized ?? "(not initialized)"}, expected ${want}`);
  }
  return problems;
}

const realState = (stack: string) => join(ROOT, `terraform.${stack}.tfstate`);
const realBackend = () => backendProblems("cdktf.out", REAL_OUT, realState);
const sandboxBackend = () => backendProblems("sandbox", SANDBOX_OUT, () => SANDBOX_STATE);
const unchanged = (label: string, before: Map<string, string>, dir: string) => {
  const diff = changes(before, snapshot(dir));
  return diff.length ? [`${label} touched: ${diff.slice(0, 5).join(", ")}${diff.length > 5 ? ` (+${diff.length - 5} more)` : ""}`] : [];
};

/** A sandbox started outside this test (moto.json names a live process). */
function sandboxRunning(): boolean {
  const file = join(SANDBOX_DIR, "moto.json");
  if (!existsSync(file)) return false;
  try {
    process.kill((JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  requireTool("terraform", ["version"], "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH");
  if (sandboxRunning()) {
    console.error("a sandbox is up in this checkout: `npm run sandbox:down` first (this test deploys and destroys its own)");
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  // A root state file (or its backup) that exists now is the user's, and stays.
  const isRootState = (f: string) => /^terraform\..+\.tfstate(\.backup)?$/.test(f);
  const rootStatesBefore = new Set(readdirSync(ROOT).filter(isRootState));
  let sandboxDown = true;
  const cleanUp = () => {
    if (!sandboxDown) {
      console.log("taking the sandbox down (clean-up)");
      spawnSync("npm", ["run", "sandbox:down"], { cwd: ROOT, env: baseEnv(), stdio: "inherit" });
      sandboxDown = true;
    }
    for (const f of readdirSync(ROOT)) if (isRootState(f) && !rootStatesBefore.has(f)) rmSync(join(ROOT, f), { force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(130);
    });
  }

  const steps: Step[] = [];
  const step = (name: string, r: RunResult, problems: string[]) => {
    if (r.code !== 0) problems.unshift(`exit ${r.code}`);
    steps.push({ name, seconds: r.seconds, ok: problems.length === 0, problems });
    if (problems.length) console.error(`\n✗ ${name}: ${problems.join("; ")}\n${r.code !== 0 ? tail(r, 40) : ""}\n`);
    else console.log(`✓ ${name} (${r.seconds.toFixed(1)} s)`);
  };

  try {
    // 1. Real path first: cdktf.out/ initialized with the real backend.
    let r = await realDiff();
    step("real cdktf diff (before the sandbox)", r, [...realBackend()]);

    // 2. Sandbox up after it: its own folder and backend; cdktf.out/ not touched at all.
    let realBefore = snapshot(REAL_OUT);
    sandboxDown = false;
    r = await sandbox("up");
    const printed = r.stdout.includes("Sandbox is up") && /^ {2}production_url = /m.test(r.stdout);
    // Off a terminal cdktf must print each step once: its spinner redraws a line (cursor up, erase) per frame.
    const redrawn = /\x1b\[1A|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(r.stdout);
    step("sandbox:up after a real command", r, [
      ...(r.code === 0 && !printed ? ["did not print the outputs"] : []),
      ...(r.stdout.includes("[object Object]") ? ["printed an output as [object Object]"] : []),
      ...(redrawn ? ["printed a spinner's frames (cursor-up redraws) into the log"] : []),
      ...sandboxBackend(),
      ...unchanged("cdktf.out/", realBefore, REAL_OUT),
      ...realBackend(),
    ]);
    if (printed) console.log(r.stdout.slice(r.stdout.indexOf("Sandbox is up")).split("\n").filter((l) => /^(Sandbox is up| {2}\w+ = )/.test(l)).join("\n"));

    // 3. Real path while the sandbox is up: works, and leaves the sandbox's folder alone.
    const sandboxBefore = snapshot(SANDBOX_OUT);
    r = await realDiff();
    step("real cdktf diff (sandbox up)", r, [...realBackend(), ...unchanged("sandbox's cdktf.out", sandboxBefore, SANDBOX_OUT), ...sandboxBackend()]);

    // 3b. Up again with another config while it is up: refused, naming the config it is up with.
    r = await sandbox("up", OTHER_CONFIG);
    step("sandbox:up with another config while up is refused", { ...r, code: r.code === 1 ? 0 : r.code || 1 }, [
      ...((r.stdout + r.stderr).includes("the sandbox is up with config/default.json") ? [] : ["did not name the config the sandbox is up with"]),
    ]);

    // 4. Sandbox down after the real command, with CONFIG naming another file: destroys everything `up` created
    // (from the config it remembers); cdktf.out/ not touched.
    realBefore = snapshot(REAL_OUT);
    r = await sandbox("down", OTHER_CONFIG);
    sandboxDown = true;
    const state = existsSync(SANDBOX_STATE) ? (JSON.parse(readFileSync(SANDBOX_STATE, "utf8")) as { resources?: unknown[] }) : undefined;
    step("sandbox:down (CONFIG names another file) after a real command", r, [
      ...(r.code === 0 && !/sandbox of \S+ destroyed and moto stopped/.test(r.stdout) ? ["did not report the sandbox destroyed"] : []),
      ...(state?.resources?.length ? [`${state.resources.length} resources left in the sandbox's state`] : []),
      ...unchanged("cdktf.out/", realBefore, REAL_OUT),
      ...realBackend(),
    ]);
  } finally {
    cleanUp();
  }

  console.log("\nstep                                        seconds  result");
  for (const s of steps) console.log(`${s.name.padEnd(44)}${s.seconds.toFixed(1).padStart(7)}  ${s.ok ? "ok" : `FAILED  ${s.problems.join("; ")}`}`);
  endTier(steps.map((s) => ({ name: `sandbox: ${s.name}`, ok: s.ok, detail: s.problems.join("; ") })));
}

void main();
