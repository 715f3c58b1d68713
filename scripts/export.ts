/**
 * `npm run export -- <dir>`: writes the stack of the current config (CONFIG and CONFIG__ overrides, as
 * synth reads them) as a standalone plain-Terraform configuration into <dir>: main.tf in HCL, the
 * smoke-test function's zip under assets/, nothing that needs CDKTF or this machine. Resource addresses
 * are those of the synthesized JSON, so the state of a deployed stack applies to the export unchanged.
 *
 * - The local backend path and the running-stack guard's state path become relative to <dir>
 *   (`terraform.<appName>.tfstate`, or `localStatePath` when it is relative); an S3 backend stays as configured.
 * - cdktf writes `depends_on` entries as quoted strings, which Terraform accepts with a deprecation
 *   warning; the export writes them as references.
 *
 * Bad input gets synth's one-line message and exit code 1; an existing, non-empty <dir> is refused; on any
 * failure nothing is left in <dir>.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { loadConfigOrExit } from "../src/config";
import { stackShape } from "../src/release-safety/running-stack-guard";
import { ROOT } from "./lib/tools";

/**
 * Quoted references in `depends_on` and `ignore_changes` lists become bare references (Terraform ≥ 0.12
 * syntax; the quoted form is deprecated).
 */
export function unquoteReferences(hcl: string): string {
  return hcl.replace(/(depends_on|ignore_changes) = \[([^\]]*)\]/g, (_, key: string, list: string) => `${key} = [${list.replace(/"([\w-]+(?:\.[\w-]+){0,2})"/g, "$1")}]`);
}

/**
 * cdktf renders a lifecycle's `precondition` list as an attribute (`precondition = [{ … }, …]`), which
 * Terraform rejects: each condition must be its own `precondition { … }` block. Expects `terraform fmt`
 * layout (one item brace per line).
 */
export function preconditionBlocks(hcl: string): string {
  const out: string[] = [];
  let inList = false;
  for (const line of hcl.split("\n")) {
    const indent = line.match(/^\s*/)![0];
    if (!inList && /^\s*precondition = \[$/.test(line)) {
      inList = true;
    } else if (inList && /^\s*\]$/.test(line)) {
      inList = false;
    } else if (inList && /^\s*\{$/.test(line)) {
      out.push(`${indent}precondition {`);
    } else if (inList && /^\s*\},?$/.test(line)) {
      out.push(`${indent}}`);
    } else {
      out.push(line);
    }
  }
  return out.join("\n");
}

/**
 * The running-stack guard's recorded shape written as a JSON literal (HCL accepts JSON object syntax).
 * cdktf renders a local's numeric-looking strings as numbers ("16" → 16), which would change the value
 * the state records and the guard compares; the literal keeps every type. Expects `terraform fmt` layout.
 */
export function exactShapeLocal(hcl: string, shape: unknown): string {
  const lines = hcl.split("\n");
  const start = lines.findIndex((l) => /^  running_stack_shape = \{$/.test(l));
  if (start < 0) throw new Error("export: no running_stack_shape local found");
  const end = lines.findIndex((l, i) => i > start && l === "  }");
  // A literal "${" or "%{" would start a template in HCL: escaped as "$${" and "%%{".
  const literal = JSON.stringify(shape).replace(/([$%])\{/g, (_, sign: string) => `${sign}${sign}{`);
  return [...lines.slice(0, start), `  running_stack_shape = ${literal}`, ...lines.slice(end + 1)].join("\n");
}

/** The state path the export's backend and guard use: relative to the export folder. */
export function exportedStatePath(appName: string, localStatePath: string | undefined): string {
  return localStatePath && !isAbsolute(localStatePath) ? localStatePath : `terraform.${appName}.tfstate`;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function main(): void {
  const target = process.argv[2];
  if (!target) fail("export: give the folder to write, e.g. npm run export -- ../infra");
  const dir = resolve(target);
  if (existsSync(dir) && readdirSync(dir).length > 0) fail(`export: ${target} exists and is not empty; give a new or empty folder`);

  const config = loadConfigOrExit(process.env);
  const statePath = exportedStatePath(config.appName, config.localStatePath);
  const work = mkdtempSync(join(tmpdir(), "export-"));
  try {
    const synth = spawnSync(process.execPath, [join(ROOT, "scripts", "synth.mjs")], {
      cwd: ROOT,
      env: { ...process.env, SYNTH_HCL_OUTPUT: "true", CDKTF_OUTDIR: join(work, "out"), CONFIG__localStatePath: statePath },
      encoding: "utf8",
    });
    if (synth.status !== 0) fail(synth.stderr.trim() || "export: synth failed");
    const manifest = JSON.parse(readFileSync(join(work, "out", "manifest.json"), "utf8"));
    const [stack] = Object.values(manifest.stacks) as Array<{ workingDirectory: string }>;
    const stackDir = join(work, "out", stack.workingDirectory);

    const staged = join(work, "export");
    mkdirSync(staged);
    const main = join(staged, "main.tf");
    writeFileSync(main, readFileSync(join(stackDir, "cdk.tf"), "utf8"));
    // The app writes HCL unindented; terraform fmt gives it the canonical layout the fixes below read.
    const fmt = () => {
      const r = spawnSync("terraform", ["fmt", "-no-color", "main.tf"], { cwd: staged, encoding: "utf8" });
      if (r.status !== 0) fail(`export: terraform fmt failed (Terraform must be on the PATH): ${r.error?.message ?? r.stderr.trim()}`);
    };
    fmt();
    const hcl = exactShapeLocal(preconditionBlocks(unquoteReferences(readFileSync(main, "utf8"))), stackShape(config));
    if (hcl.includes(ROOT)) fail(`export: the configuration still names this machine's ${ROOT}; report this as a bug`);
    writeFileSync(main, hcl);
    fmt();
    if (existsSync(join(stackDir, "assets"))) cpSync(join(stackDir, "assets"), join(staged, "assets"), { recursive: true });

    // Copied beside the target and renamed into place, so a failure never leaves half an export there.
    mkdirSync(dirname(dir), { recursive: true });
    const partial = `${dir}.partial-${process.pid}`;
    cpSync(staged, partial, { recursive: true });
    if (existsSync(dir)) rmSync(dir, { recursive: true });
    renameSync(partial, dir);
    console.log(`wrote ${target}: main.tf${existsSync(join(dir, "assets")) ? " and assets/" : ""} (${config.stateBackend ? "S3 backend" : `local state at ${statePath}`})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Run as a script (npm run export), not when the tests import the helpers above.
if (require.main === module) main();
