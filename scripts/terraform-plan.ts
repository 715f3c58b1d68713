/**
 * Terraform tier: for the default config, every example and the longest-names configs, synthesize in sandbox mode, then
 * `terraform init` (offline mirror when present) and `terraform plan` (which validates first).
 * Fails on any error. Ends with "N passed, N failed".
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { availableParallelism } from "node:os";
import { manyServicesConfig } from "./lib/many-services";
import { inPool } from "./lib/pool";
import { initArgs, requireTool, ROOT, run, SCRATCH, synthesize, tail, terraformEnv } from "./lib/tools";
import { endTier, oneLine } from "./lib/tier-report";
import { checkExport, EXPORT_CONFIGS, ExportRow } from "./terraform/export-check";
import { GUARD_CASES, runGuardCase } from "./terraform/guard-cases";

interface Row {
  config: string;
  resources: number | string;
  synth: number;
  init: number;
  plan: number;
  ok: boolean;
  /** The failed step and Terraform's first error. */
  failure?: string;
  /** Where the synthesized JSON was planned (tfplan inside), for the export comparison. */
  stackDir?: string;
}

/** The default config, every example, and the configs at the schema's longest names (config/limits/). */
function configsToPlan(): string[] {
  const jsonIn = (dir: string) =>
    existsSync(join(ROOT, dir))
      ? readdirSync(join(ROOT, dir))
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => join(dir, f))
      : [];
  return ["config/default.json", ...jsonIn("examples"), ...jsonIn(join("config", "limits"))];
}

async function planOne(config: string, work: string, env: NodeJS.ProcessEnv): Promise<Row> {
  const row: Row = { config, resources: "-", synth: 0, init: 0, plan: 0, ok: false };
  const name = basename(config, ".json");
  const outdir = join(work, name);
  const stateFile = join(work, `${name}.tfstate`);
  // The running-stack guard reads the state the backend keeps: the same file.
  const synth = await synthesize(config, outdir, { ...env, CONFIG__sandbox: "true", CONFIG__localStatePath: stateFile });
  row.synth = synth.seconds;
  if (!synth.stackDir) return fail(row, "synth", synth);

  const init = await run("terraform", initArgs(stateFile), { cwd: synth.stackDir, env });
  row.init = init.seconds;
  if (init.code !== 0) return fail(row, "init", init);

  // No separate `terraform validate`: a plan validates the configuration first and fails the same way, and
  // each Terraform command costs seconds of CPU to load the provider's schema.
  // -detailed-exitcode: 2 means "a valid plan with changes", which is what an empty state must give.
  const plan = await run("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode", "-out=tfplan"], {
    cwd: synth.stackDir,
    env,
  });
  row.plan = plan.seconds;
  if (plan.code !== 2) return fail(row, "plan", plan);
  const summary = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(plan.stdout);
  row.resources = summary ? Number(summary[1]) : "?";
  row.ok = !!summary && summary[2] === "0" && summary[3] === "0";
  if (!row.ok) return fail(row, "plan summary", plan);
  return { ...row, stackDir: synth.stackDir };
}

function fail(row: Row, step: string, result: { code: number; stdout: string; stderr: string; seconds: number }): Row {
  console.error(`\n✗ ${row.config}: ${step} failed (exit ${result.code})\n${tail(result)}\n`);
  return { ...row, ok: false, failure: `${step} failed (exit ${result.code}): ${oneLine(`${result.stdout}\n${result.stderr}`)}` };
}

async function main(): Promise<void> {
  requireTool("terraform", ["version"], "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH");
  const work = join(SCRATCH, "terraform-plan");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const env = terraformEnv();

  // One plan uses about 1.4 of two cores (measured), so two side by side keep both busy. The results keep their order.
  const limit = Math.max(2, availableParallelism());
  // And the scale of many services: 20 of them in two environments, generated.
  const twentyServices = join(work, "twenty-services.json");
  writeFileSync(twentyServices, JSON.stringify(manyServicesConfig(20)));
  const rows = await inPool([...configsToPlan(), twentyServices], limit, (config) => planOne(config, work, env));

  const fmt = (n: number) => n.toFixed(1);
  console.log("\nconfig                              resources  synth s  init s  validate + plan s  result");
  for (const r of rows) {
    console.log(
      `${r.config.padEnd(36)}${String(r.resources).padStart(9)}${fmt(r.synth).padStart(9)}${fmt(r.init).padStart(8)}${fmt(r.plan).padStart(18)}  ${r.ok ? "ok" : "FAILED"}`,
    );
  }

  const guardRows = await inPool(GUARD_CASES, limit, (c) => runGuardCase(c, join(work, "guard"), env));
  console.log("\nrunning-stack guard (plan against a running stack's recorded settings)    seconds  result");
  for (const r of guardRows) console.log(`${r.name.padEnd(72)}${fmt(r.seconds).padStart(8)}  ${r.ok ? "ok" : "FAILED"}`);

  const exportRows = await inPool([...EXPORT_CONFIGS], limit, async (config): Promise<ExportRow> => {
    const planned = rows.find((r) => r.config === config);
    if (!planned?.stackDir) return { config, resources: 0, seconds: 0, ok: false };
    return checkExport(config, planned.stackDir, join(work, "export", basename(config, ".json")), env);
  });
  console.log("\nnpm run export (plain Terraform HCL): validate without warnings, plan equal to the JSON's   resources  seconds  result");
  for (const r of exportRows) console.log(`${r.config.padEnd(88)}${String(r.resources).padStart(9)}${fmt(r.seconds).padStart(9)}  ${r.ok ? "ok" : "FAILED"}`);

  endTier([
    ...rows.map((r) => ({ name: `terraform: plan ${r.config}`, ok: r.ok, detail: r.failure })),
    ...guardRows.map((r) => ({ name: `terraform: guard ${r.name}`, ok: r.ok })),
    ...exportRows.map((r) => ({ name: `terraform: export ${r.config}`, ok: r.ok })),
  ]);
}

void main();
