import { deploymentAlarmCount } from "../traffic-control/deployment-config";
import { StackConfig } from "../config";
import PRICES from "./prices.json";

export interface CostRow {
  readonly item: string;
  /** What is counted, e.g. "2 × 730 h × $0.045". */
  readonly basis: string;
  readonly monthly: number;
}

export interface MonthlyCost {
  readonly region: string;
  /** False when the price table has no prices for the region: no rows then. */
  readonly covered: boolean;
  readonly rows: CostRow[];
  readonly total: number;
  readonly asOf: string;
  readonly currency: string;
  /** What the estimate leaves out. */
  readonly excludes: string[];
  /**
   * With several services: what each costs on its own (its tasks, database, alarms, pipeline), what the
   * platform they share costs (NAT, load balancers, addresses, key), and what the same services would
   * cost as separate stacks (each paying for a platform of its own).
   */
  readonly services?: { readonly shared: number; readonly perService: Record<string, number>; readonly asSeparateStacks: number };
}

type RegionPrices = (typeof PRICES.regions)["us-east-1"];

/** Regions the dated price table covers. */
export const PRICED_REGIONS = Object.keys(PRICES.regions);

const EXCLUDES = [
  "traffic: data transfer, NAT data processing, load balancer capacity units",
  "usage: CodeBuild minutes, CloudWatch Logs ingestion and storage (the flow logs and database log exports among them), X-Ray traces, ECR and S3 storage, Lambda invocations, CodeDeploy (free for ECS)",
  "free tiers, savings plans and reserved instances",
];

const money = (n: number) => `$${n.toFixed(n < 1 ? 4 : 3).replace(/0+$/, "").replace(/\.$/, "")}`;

/** A baseline monthly cost of the stack at list prices, without traffic: what it costs standing still. */
export function monthlyCost(config: StackConfig): MonthlyCost {
  const region = config.region;
  const prices = (PRICES.regions as Record<string, RegionPrices>)[region];
  const base = { region, asOf: PRICES.asOf, currency: PRICES.currency, excludes: EXCLUDES as string[] };
  if (!prices) return { ...base, covered: false, rows: [], total: 0 };
  const hours = PRICES.hoursPerMonth;
  const rows: CostRow[] = [];
  const add = (item: string, count: number, unit: number, per: string) => {
    if (count > 0) rows.push({ item, basis: `${count} × ${per} × ${money(unit)}`, monthly: count * unit * (per === "month" ? 1 : hours) });
  };
  const zones = config.availabilityZones.length;
  const existing = !!config.network.existing;
  const nats = existing ? 0 : config.network.natGateways === "one-per-az" ? zones : config.network.natGateways === "single" ? 1 : 0;
  add("NAT gateways", nats, prices.natGatewayHour, `${hours} h`);
  add("NAT gateways' public IPv4 addresses", nats, prices.publicIpv4Hour, `${hours} h`);
  const environments = config.environments;
  add("load balancers (one per environment)", environments.length, prices.loadBalancerHour, `${hours} h`);
  add("load balancers' public IPv4 addresses (one per zone)", environments.length * zones, prices.publicIpv4Hour, `${hours} h`);
  const services = config.services.length
    ? config.services.map((svc) => ({ name: svc.name, label: `${svc.name}/`, environments: svc.environments, database: svc.database, v2: !!svc.folder }))
    : [{ name: config.appName, label: "", environments, database: config.database, v2: false }];
  const perService: Record<string, number> = {};
  for (const service of services) {
    const before = rows.length;
    for (const env of service.environments) serviceRows(add, rows, prices, config, { ...service, env });
    perService[service.name] = rows.slice(before).reduce((n, r) => n + r.monthly, 0);
  }
  add("customer-managed KMS key", config.encryption.customerManagedKey === "create" ? 1 : 0, PRICES.global.kmsKeyMonth, "month");
  // A V2 pipeline (a service in a folder of a shared repository, started by a trigger) is billed by action minutes instead.
  const v1 = config.delivery.mode === "codepipeline" ? services.filter((svc) => !svc.v2) : [];
  add(v1.length > 1 ? `CodePipeline (V1, ${v1.length} active pipelines)` : "CodePipeline (V1, one active pipeline)", v1.length, PRICES.global.codepipelineV1PipelineMonth, "month");
  const total = rows.reduce((n, r) => n + r.monthly, 0);
  if (!config.services.length) return { ...base, covered: true, rows, total };
  for (const service of v1) perService[service.name] += PRICES.global.codepipelineV1PipelineMonth;
  if (services.some((svc) => svc.v2)) base.excludes = [...EXCLUDES, "V2 pipelines (services in folders of a shared repository): billed per action execution minute"];
  const serviceTotal = Object.values(perService).reduce((n, m) => n + m, 0);
  const shared = total - serviceTotal;
  return { ...base, covered: true, rows, total, services: { shared, perService, asSeparateStacks: serviceTotal + shared * services.length } };
}

type Add = (item: string, count: number, unit: number, per: string) => void;

/** One service's rows in one environment: its tasks (and their addresses without NAT), its database, its alarms. */
function serviceRows(
  add: Add,
  rows: CostRow[],
  prices: RegionPrices,
  config: StackConfig,
  service: { readonly label: string; readonly env: StackConfig["environments"][number]; readonly database: StackConfig["database"] },
): void {
  const hours = PRICES.hoursPerMonth;
  const { env, label } = service;
  const s = env.service;
  const tasks = s.autoScaling ? s.autoScaling.minCapacity : s.desiredCount;
  const arm = s.cpuArchitecture === "ARM64";
  const [vcpuHour, gbHour] = arm ? [prices.fargateArmVcpuHour, prices.fargateArmGbHour] : [prices.fargateVcpuHour, prices.fargateGbHour];
  const perTaskHour = (s.cpu / 1024) * vcpuHour + (s.memory / 1024) * gbHour;
  const where = `${label}${env.name}`;
  add(`${where}: Fargate tasks (${s.cpu / 1024} vCPU, ${s.memory / 1024} GB${arm ? ", ARM64" : ""}${s.autoScaling ? ", autoscaling minimum" : ""})`, tasks, perTaskHour, `${hours} h`);
  if (!config.network.existing && config.network.natGateways === "none") add(`${where}: tasks' public IPv4 addresses`, tasks, prices.publicIpv4Hour, `${hours} h`);
  const db = service.database;
  if (db.enabled) {
    const copies = db.multiAz ? 2 : 1;
    const instanceHour = (prices.rdsInstanceHour as Record<string, number>)[db.instanceClass];
    if (instanceHour === undefined) {
      rows.push({ item: `${where}: PostgreSQL ${db.instanceClass}`, basis: "not in the price table: add it to src/summary/prices.json", monthly: 0 });
    } else {
      add(`${where}: PostgreSQL ${db.instanceClass}${db.multiAz ? " (multi-AZ)" : ""}`, copies, instanceHour, `${hours} h`);
    }
    add(`${where}: database storage (GB)`, db.allocatedStorageGb * copies, prices.rdsStorageGbMonth, "month");
    add(`${where}: database password secret`, 1, PRICES.global.secretsManagerSecretMonth, "month");
  }
  add(`${where}: CloudWatch alarms`, deploymentAlarmCount(env.deployment) - env.deployment.alarmNames.length, PRICES.global.cloudwatchAlarmMonth, "month");
}
