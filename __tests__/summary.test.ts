import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../src/config";
import { monthlyCost } from "../src/summary/monthly-cost";
import PRICES from "../src/summary/prices.json";
import { ASSUMED_SECONDS, releaseTimeline } from "../src/summary/release-timeline";
import { render, summarize } from "../scripts/summary";
import { config, rawConfig } from "./helpers";

const HOURS = PRICES.hoursPerMonth;
const FRANKFURT = PRICES.regions["eu-central-1"];
const sumOf = (xs: Array<{ seconds?: number }>) => xs.reduce((n, p) => n + (p.seconds ?? 0), 0);

describe("npm run summary: release timeline", () => {
  it("the phases add up to both totals", () => {
    for (const c of [config(), config({ environments: [{ name: "staging" }, { name: "production", approval: {} }], deployment: { deploymentConfigName: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes" } })]) {
      const t = releaseTimeline(c);
      let clock = sumOf(t.build);
      for (const env of t.environments) {
        const teardown = env.phases.slice(-2);
        expect(env.toFullTraffic).toBe(clock + sumOf(env.phases.slice(0, -2)));
        expect(env.toOldTasksGone).toBe(env.toFullTraffic + sumOf(teardown));
        clock = env.toOldTasksGone;
      }
    }
  });

  it("default settings: build, tasks healthy after two 15 s checks, smoke test, all at once, 5 min termination wait, 30 s drain", () => {
    const [production] = releaseTimeline(config()).environments;
    const healthy = 15 * 2;
    const build = ASSUMED_SECONDS.source + ASSUMED_SECONDS.codebuildBuildAndPush;
    expect(production.toFullTraffic).toBe(build + ASSUMED_SECONDS.deployStart + ASSUMED_SECONDS.taskStart + healthy + ASSUMED_SECONDS.smokeTest);
    expect(production.toOldTasksGone - production.toFullTraffic).toBe(5 * 60 + 30);
    expect(production.waitsForAPerson).toBe(false);
  });

  it("moves by exactly the shift: a canary adds its interval, a linear shift each step, a health-check interval twice", () => {
    const base = releaseTimeline(config()).environments[0].toFullTraffic;
    const at = (deployment: Record<string, unknown>, extra: Record<string, unknown> = {}) => releaseTimeline(config({ deployment, ...extra })).environments[0].toFullTraffic;
    expect(at({ deploymentConfigName: "CodeDeployDefault.ECSCanary10Percent5Minutes" }) - base).toBe(5 * 60);
    expect(at({ deploymentConfigName: "CodeDeployDefault.ECSLinear10PercentEvery3Minutes" }) - base).toBe(9 * 3 * 60);
    expect(at({ trafficShifting: { type: "canary", percent: 20, intervalMinutes: 15 } }) - base).toBe(15 * 60);
    expect(at({ trafficShifting: { type: "linear", percent: 25, intervalMinutes: 2 } }) - base).toBe(3 * 2 * 60);
    expect(at({}, { loadBalancer: { healthCheckIntervalSeconds: 30 } }) - base).toBe(2 * 15);
    expect(at({ smokeTest: { enabled: false } }) - base).toBe(-ASSUMED_SECONDS.smokeTest);
  });

  it("a later environment starts after the earlier one's whole deployment, termination wait included; approvals and manual reroutes wait for a person", () => {
    const t = releaseTimeline(config({ environments: [{ name: "staging" }, { name: "production", approval: {}, deployment: { trafficReroute: "manual" } }] }));
    const [staging, production] = t.environments;
    expect(production.toFullTraffic).toBeGreaterThan(staging.toOldTasksGone);
    expect(production.phases[0].name).toBe("approval");
    expect(production.phases[0].seconds).toBeUndefined();
    expect(production.phases.find((p) => p.name === "reroute")?.seconds).toBeUndefined();
    expect(production.waitsForAPerson).toBe(true);
    expect(staging.waitsForAPerson).toBe(false);
  });
});

describe("npm run summary: monthly cost", () => {
  it("the rows add up to the total, at the dated table's prices", () => {
    const cost = monthlyCost(config());
    expect(cost.covered).toBe(true);
    expect(cost.total).toBeCloseTo(cost.rows.reduce((n, r) => n + r.monthly, 0), 10);
    expect(cost.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // One NAT gateway (and its address), one load balancer (and an address per zone), one 0.25 vCPU / 0.5 GB task, 6 alarms, the pipeline.
    const expected =
      HOURS * (FRANKFURT.natGatewayHour + FRANKFURT.publicIpv4Hour + FRANKFURT.loadBalancerHour + 2 * FRANKFURT.publicIpv4Hour + 0.25 * FRANKFURT.fargateVcpuHour + 0.5 * FRANKFURT.fargateGbHour) +
      6 * PRICES.global.cloudwatchAlarmMonth +
      PRICES.global.codepipelineV1PipelineMonth;
    expect(cost.total).toBeCloseTo(expected, 6);
  });

  it("NAT per zone adds one NAT gateway and its address per extra zone", () => {
    const single = monthlyCost(config()).total;
    const perZone = monthlyCost(config({ network: { natGateways: "one-per-az" } })).total;
    expect(perZone - single).toBeCloseTo(HOURS * (FRANKFURT.natGatewayHour + FRANKFURT.publicIpv4Hour), 6);
    const none = monthlyCost(config({ network: { natGateways: "none" } })).total;
    // No NAT, but the task needs a public address.
    expect(single - none).toBeCloseTo(HOURS * (FRANKFURT.natGatewayHour + FRANKFURT.publicIpv4Hour) - HOURS * FRANKFURT.publicIpv4Hour, 6);
  });

  it("one more environment adds a load balancer with its addresses, its tasks and its alarms", () => {
    const one = monthlyCost(config()).total;
    const two = monthlyCost(config({ environments: [{ name: "staging" }, { name: "production" }] })).total;
    const task = 0.25 * FRANKFURT.fargateVcpuHour + 0.5 * FRANKFURT.fargateGbHour;
    expect(two - one).toBeCloseTo(HOURS * (FRANKFURT.loadBalancerHour + 2 * FRANKFURT.publicIpv4Hour + task) + 6 * PRICES.global.cloudwatchAlarmMonth, 6);
  });

  it("a database, a key and a bigger service cost what the table says; an unknown region gets no made-up figure", () => {
    const withDb = monthlyCost(config({ database: { enabled: true, multiAz: true }, encryption: { customerManagedKey: "create" } }));
    const db = withDb.rows.filter((r) => r.item.startsWith("production: PostgreSQL") || r.item.includes("database"));
    expect(db.map((r) => r.monthly).reduce((a, b) => a + b, 0)).toBeCloseTo(
      2 * HOURS * FRANKFURT.rdsInstanceHour["db.t4g.micro"] + 2 * 20 * FRANKFURT.rdsStorageGbMonth + PRICES.global.secretsManagerSecretMonth,
      6,
    );
    expect(withDb.rows.find((r) => r.item === "customer-managed KMS key")?.monthly).toBe(PRICES.global.kmsKeyMonth);
    const far = monthlyCost(parseConfig({ ...rawConfig(), region: "ap-southeast-2", availabilityZones: ["ap-southeast-2a", "ap-southeast-2b"] }));
    expect(far).toMatchObject({ covered: false, rows: [], total: 0 });
    expect(render(summarize(parseConfig({ ...rawConfig(), region: "ap-southeast-2", availabilityZones: ["ap-southeast-2a", "ap-southeast-2b"] })), false)).toContain(
      "No prices for ap-southeast-2 in src/summary/prices.json",
    );
  });
});

describe("npm run summary: the command", () => {
  it("summarizes the default config and every example: resources by concern add up to the total", () => {
    for (const file of ["config/default.json", ...readdirSync("examples").filter((f) => f.endsWith(".json")).map((f) => `examples/${f}`)]) {
      const s = summarize(parseConfig(JSON.parse(require("node:fs").readFileSync(file, "utf8"))));
      expect(Object.values(s.resources.byConcern).reduce((a, b) => a + b, 0), file).toBe(s.resources.total);
      expect(s.resources.byConcern.other, file).toBeUndefined();
      expect(s.timeline.environments.length, file).toBeGreaterThan(0);
    }
  }, 60_000);

  it("prints text, --json and --markdown; bad input gets synth's one line", () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/summary.ts", ...args], { env: { ...process.env, CONFIG: "config/default.json", ...env }, encoding: "utf8" });
    const json = run(["--json"]);
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.resources.total).toBe(88);
    expect(parsed.cost.total).toBeCloseTo(monthlyCost(config()).total, 6);
    const md = run(["--markdown"]);
    expect(md.stdout).toMatch(/^## bluegreen-demo \(eu-central-1\)/);
    expect(md.stdout).toContain("| item | basis | per month |");
    expect(run([]).stdout).toContain("Monthly baseline cost: $");
    const bad = run([], { CONFIG__deployment__alarms__evaluationPeriods: "0" });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe("Invalid config: deployment.alarms.evaluationPeriods: must be at least 1 (got 0)");
  }, 60_000);
});

describe("npm run summary: several services", () => {
  const three = loadConfig({ CONFIG: "examples/three-services.json" });
  const one = (name: string) => {
    const raw = JSON.parse(readFileSync("examples/three-services.json", "utf8"));
    const { routing: _routing, folder: _folder, source, ...own } = raw.services[name];
    const { services: _services, ...top } = raw;
    return parseConfig({ ...top, ...own, service: { ...top.service, ...own.service }, source: source ?? top.source });
  };

  it("costs the shared platform once, each service on its own, and the same services as separate stacks", () => {
    const cost = monthlyCost(three);
    const services = cost.services!;
    expect(Object.keys(services.perService)).toEqual(["web", "api", "admin"]);
    expect(services.shared + Object.values(services.perService).reduce((n, m) => n + m, 0)).toBeCloseTo(cost.total, 6);
    // Separate stacks: each one-service stack of the same settings, summed; web's and api's pipelines are
    // V2 here (started by their folder's changes, billed by the minute), a V1 pipeline's month on their own.
    const separate = ["web", "api", "admin"].map((name) => monthlyCost(one(name)).total).reduce((n, m) => n + m, 0);
    expect(services.asSeparateStacks).toBeCloseTo(separate - 2 * PRICES.global.codepipelineV1PipelineMonth, 6);
    expect(services.asSeparateStacks - cost.total).toBeCloseTo(2 * services.shared, 6);
    expect(cost.rows.find((r) => r.item.startsWith("CodePipeline"))).toMatchObject({ item: "CodePipeline (V1, one active pipeline)", monthly: PRICES.global.codepipelineV1PipelineMonth });
    expect(cost.excludes.join()).toMatch(/V2 pipelines/);
  });

  it("gives each service its own release timeline, each on its own clock (a pipeline per service)", () => {
    const t = releaseTimeline(three);
    expect(t.environments.map((e) => e.environment)).toEqual(["web/staging", "web/production", "api/staging", "api/production", "admin/staging", "admin/production"]);
    const [webStaging, , apiStaging] = t.environments;
    expect(apiStaging.toFullTraffic).toBe(webStaging.toFullTraffic);
    expect(t.environments[1].toFullTraffic).toBeGreaterThan(t.environments[0].toOldTasksGone);
  });
});
