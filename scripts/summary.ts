/**
 * `npm run summary [-- --json | --markdown]`: what the current config (CONFIG and CONFIG__ overrides, as
 * synth reads them) builds, how long one release takes, and what the stack costs standing still. Needs no
 * AWS account: it synthesizes in memory, and reads URLs from the local state file when there is one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { loadConfigOrExit, StackConfig } from "../src/config";
import { localStatePath } from "../src/provider/aws-provider";
import { BlueGreenStack } from "../src/stack";
import { monthlyCost, MonthlyCost, PRICED_REGIONS } from "../src/summary/monthly-cost";
import { ASSUMED_SECONDS, EnvironmentTimeline, Phase, releaseTimeline } from "../src/summary/release-timeline";
import { resourcesByConcern } from "../src/summary/resources-by-concern";

export interface Summary {
  readonly appName: string;
  readonly region: string;
  readonly resources: { byConcern: Record<string, number>; total: number };
  /** Each environment's URLs from the state, when it is deployed and the state is local. */
  readonly urls: { readonly source: string; readonly environments: Record<string, { url?: string; testUrl?: string }> };
  readonly timeline: { build: Phase[]; environments: EnvironmentTimeline[]; assumptions: typeof ASSUMED_SECONDS };
  readonly cost: MonthlyCost;
}

function synthesizedResources(config: StackConfig): Record<string, Record<string, unknown>> {
  const outdir = mkdtempSync(join(tmpdir(), "summary-"));
  try {
    const app = new App({ outdir });
    new BlueGreenStack(app, config.appName, config);
    app.synth();
    return JSON.parse(readFileSync(join(outdir, "stacks", config.appName, "cdk.tf.json"), "utf8")).resource;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function deployedUrls(config: StackConfig): Summary["urls"] {
  if (config.stateBackend) return { source: `the state is in s3://${config.stateBackend.bucket}/${config.stateBackend.key}: run terraform output there`, environments: {} };
  const path = localStatePath(config);
  if (!existsSync(path)) return { source: "not deployed yet (no local state)", environments: {} };
  const outputs = (JSON.parse(readFileSync(path, "utf8") || "{}").outputs ?? {}) as Record<string, { value: string }>;
  const environments = Object.fromEntries(config.environments.map((env) => [env.name, { url: outputs[`${env.name}_url`]?.value, testUrl: outputs[`${env.name}_test_url`]?.value }]));
  return { source: `state ${path}`, environments };
}

export function summarize(config: StackConfig): Summary {
  return {
    appName: config.appName,
    region: config.region,
    resources: resourcesByConcern(synthesizedResources(config)),
    urls: deployedUrls(config),
    timeline: { ...releaseTimeline(config), assumptions: ASSUMED_SECONDS },
    cost: monthlyCost(config),
  };
}

const duration = (seconds: number) => (seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ""}`);
const dollars = (n: number) => `$${n.toFixed(2)}`;

/** The summary as text lines; `md` writes Markdown (tables and headings) for a pull-request comment. */
export function render(s: Summary, md: boolean): string {
  const out: string[] = [];
  const heading = (text: string) => out.push("", md ? `### ${text}` : `${text}\n${"-".repeat(text.length)}`);
  const table = (header: string[], rows: string[][]) => {
    if (md) {
      // A table ends at a blank line: a line right after it would be read as one more row.
      out.push(`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`), "");
    } else {
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd();
      out.push(line(header), ...rows.map(line));
    }
  };
  out.push(md ? `## ${s.appName} (${s.region})` : `${s.appName} (${s.region})`);

  heading(`Resources: ${s.resources.total}`);
  table(["concern", "resources"], Object.entries(s.resources.byConcern).sort(([, a], [, b]) => b - a).map(([k, v]) => [k, String(v)]));
  out.push("", `URLs: ${s.urls.source}`);
  for (const [env, u] of Object.entries(s.urls.environments)) out.push(`  ${env}: ${u.url ?? "-"} (test: ${u.testUrl ?? "-"})`);

  heading("One release, at these settings");
  table(["phase", "time", "why"], s.timeline.build.map((p) => [p.name, duration(p.seconds ?? 0), p.note]));
  for (const t of s.timeline.environments) {
    out.push("", md ? `**${t.environment}**` : `${t.environment}:`);
    table(["phase", "time", "why"], t.phases.map((p) => [p.name, p.seconds === undefined ? "a person" : duration(p.seconds), p.note]));
    const person = t.waitsForAPerson ? " + the time people take" : "";
    out.push(`${t.environment}: 100 % of traffic on the new version after ${duration(t.toFullTraffic)}${person}; old tasks gone after ${duration(t.toOldTasksGone)}${person}`);
  }

  heading(`Monthly baseline cost: ${s.cost.covered ? dollars(s.cost.total) : "region not in the price table"}`);
  if (!s.cost.covered) {
    out.push(`No prices for ${s.cost.region} in src/summary/prices.json (it covers ${PRICED_REGIONS.join(", ")}): no estimate.`);
  } else {
    table(["item", "basis", "per month"], [...s.cost.rows.map((r) => [r.item, r.basis, dollars(r.monthly)]), ["total", "", dollars(s.cost.total)]]);
    const services = s.cost.services;
    if (services) {
      out.push("");
      table(
        ["several services", "per month"],
        [
          ...Object.entries(services.perService).map(([name, monthly]) => [`${name}: its tasks, database, alarms and pipeline`, dollars(monthly)]),
          ["shared: NAT, load balancers, addresses, key", dollars(services.shared)],
          [`the same ${Object.keys(services.perService).length} services as separate stacks`, dollars(services.asSeparateStacks)],
        ],
      );
    }
    out.push("", `An estimate at ${s.cost.currency} list prices of ${s.cost.asOf}, without traffic. Not included: ${s.cost.excludes.join("; ")}.`);
  }
  return out.join("\n");
}

const FORMATS = { "--json": "json", "--markdown": "markdown", "--text": "text" } as const;

/** The output format the arguments name (text when none); an unknown argument, or two formats, is refused. */
export function summaryFormat(args: readonly string[]): "json" | "markdown" | "text" {
  const unknown = args.filter((a) => !(a in FORMATS));
  if (unknown.length) throw new Error(`unknown argument ${unknown.map((a) => `"${a}"`).join(", ")}; allowed: ${Object.keys(FORMATS).join(", ")} (one of them, or none for text)`);
  if (args.length > 1) throw new Error(`give one format, not ${args.join(" and ")}`);
  return args.length ? FORMATS[args[0] as keyof typeof FORMATS] : "text";
}

function main(): void {
  let format: ReturnType<typeof summaryFormat>;
  try {
    format = summaryFormat(process.argv.slice(2));
  } catch (err) {
    console.error(`npm run summary: ${(err as Error).message}`);
    process.exit(2);
  }
  const summary = summarize(loadConfigOrExit(process.env));
  console.log(format === "json" ? JSON.stringify(summary, null, 2) : render(summary, format === "markdown"));
}

// Run as a script (npm run summary), not when the tests import it.
if (require.main === module) main();
