/**
 * "Leaving CDKTF" proved with real Terraform: `npm run export` of a config must plan exactly like the
 * synthesized JSON of the same config. Both are planned offline in sandbox mode against an empty state;
 * `terraform show -json` of each plan must hold the same resource changes (address, actions, planned
 * values, unknowns) and the same output changes. `terraform validate` of the export must report nothing,
 * warnings included.
 */
import { join } from "node:path";
import { initArgs, ROOT, run, tail } from "../lib/tools";

/** The configs exported: every feature that changes what the HCL holds (TLS, an existing network, GitHub Actions, a database, custom configs, two environments). */
export const EXPORT_CONFIGS = [
  "config/default.json",
  "examples/seed-001-postgres-codestar.json",
  "examples/seed-004-github-actions.json",
  "examples/two-environments-database-autoscaling.json",
  "examples/custom-canary.json",
];

export interface ExportRow {
  readonly config: string;
  readonly resources: number;
  readonly seconds: number;
  readonly ok: boolean;
}

interface PlanJson {
  resource_changes?: Array<{ address: string; change: { actions: string[]; after: unknown; after_unknown: unknown; after_sensitive: unknown } }>;
  output_changes?: Record<string, { actions: string[]; after: unknown; after_unknown: unknown }>;
}

/** What must be equal between two plans, keyed by address. */
function comparable(plan: PlanJson): { resources: Record<string, unknown>; outputs: Record<string, unknown> } {
  const resources = Object.fromEntries(
    (plan.resource_changes ?? []).map((r) => [r.address, { actions: r.change.actions, after: r.change.after, unknown: r.change.after_unknown, sensitive: r.change.after_sensitive }]),
  );
  return { resources, outputs: plan.output_changes ?? {} };
}

/** The first differing key between two comparables, for the report. */
function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return `${key}:\n  JSON:   ${JSON.stringify(a[key])?.slice(0, 400)}\n  export: ${JSON.stringify(b[key])?.slice(0, 400)}`;
  }
  return undefined;
}

/**
 * Exports `config` into `work`, plans it, and compares with the plan of the synthesized JSON in
 * `jsonStackDir` (already planned into `tfplan` there).
 */
export async function checkExport(config: string, jsonStackDir: string, work: string, env: NodeJS.ProcessEnv): Promise<ExportRow> {
  const started = Date.now();
  const row = (ok: boolean, resources = 0): ExportRow => ({ config, resources, seconds: (Date.now() - started) / 1000, ok });
  const failed = (step: string, detail: string) => {
    console.error(`\n✗ export of ${config}: ${step}\n${detail}\n`);
    return row(false);
  };
  const dir = join(work, "hcl");
  const exported = await run(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "export.ts"), dir], {
    env: { ...env, CONFIG: config, CONFIG__sandbox: "true" },
  });
  if (exported.code !== 0) return failed("export", tail(exported));
  const init = await run("terraform", initArgs(join(work, "export.tfstate")), { cwd: dir, env });
  if (init.code !== 0) return failed("init", tail(init));
  const validate = await run("terraform", ["validate", "-json", "-no-color"], { cwd: dir, env });
  const verdict = JSON.parse(validate.stdout || "{}");
  if (validate.code !== 0 || !verdict.valid || verdict.warning_count !== 0) return failed("validate (errors or warnings)", JSON.stringify(verdict.diagnostics, null, 1));
  const plan = await run("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan"], { cwd: dir, env });
  if (plan.code !== 0) return failed("plan", tail(plan));

  const show = async (cwd: string) => JSON.parse((await run("terraform", ["show", "-json", "tfplan"], { cwd, env })).stdout) as PlanJson;
  const [fromJson, fromExport] = [comparable(await show(jsonStackDir)), comparable(await show(dir))];
  const difference = firstDifference(fromJson.resources, fromExport.resources) ?? firstDifference(fromJson.outputs, fromExport.outputs);
  if (difference) return failed("the export plans differently from the JSON", difference);
  return row(true, Object.keys(fromJson.resources).length);
}
