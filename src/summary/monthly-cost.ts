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
}

type RegionPrices = (typeof PRICES.regions)["us-east-1"];

/** Regions the dated price table covers. */
export const PRICED_REGIONS = Object.keys(PRICES.regions);

const EXCLUDES = [
  "traffic: data transfer, NAT data processing, load balancer capacity units",
  "usage: CodeBuild minutes, CloudWatch Logs ingestion and storage, ECR and S3 storage, Lambda invocations, CodeDeploy (free for ECS)",
  "free tiers, savings plans and reserved instances",
];

const money = (n: number) => `$${n.toFixed(n < 1 ? 4 : 3).replace(/0+$/, "").replace(/\.$/, "")}`;

/** A baseline monthly cost of the stack at list prices, without traffic: what it costs standing still. */
export function monthlyCost(config: StackConfig): MonthlyCost {
  const region = config.region;
  const prices = (PRICES.regions as Record<string, RegionPrices>)[region];
  const base = { region, asOf: PRICES.asOf, currency: PRICES.currency, excludes: EXCLUDES };
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
  for (const env of environments) {
    const s = env.service;
    const tasks = s.autoScaling ? s.autoScaling.minCapacity : s.desiredCount;
    const arm = s.cpuArchitecture === "ARM64";
    const [vcpuHour, gbHour] = arm ? [prices.fargateArmVcpuHour, prices.fargateArmGbHour] : [prices.fargateVcpuHour, prices.fargateGbHour];
    const perTaskHour = (s.cpu / 1024) * vcpuHour + (s.memory / 1024) * gbHour;
    add(`${env.name}: Fargate tasks (${s.cpu / 1024} vCPU, ${s.memory / 1024} GB${arm ? ", ARM64" : ""}${s.autoScaling ? ", autoscaling minimum" : ""})`, tasks, perTaskHour, `${hours} h`);
    if (!existing && config.network.natGateways === "none") add(`${env.name}: tasks' public IPv4 addresses`, tasks, prices.publicIpv4Hour, `${hours} h`);
    if (config.database.enabled) {
      const db = config.database;
      const copies = db.multiAz ? 2 : 1;
      const instanceHour = (prices.rdsInstanceHour as Record<string, number>)[db.instanceClass];
      if (instanceHour === undefined) {
        rows.push({ item: `${env.name}: PostgreSQL ${db.instanceClass}`, basis: "not in the price table: add it to src/summary/prices.json", monthly: 0 });
      } else {
        add(`${env.name}: PostgreSQL ${db.instanceClass}${db.multiAz ? " (multi-AZ)" : ""}`, copies, instanceHour, `${hours} h`);
      }
      add(`${env.name}: database storage (GB)`, db.allocatedStorageGb * copies, prices.rdsStorageGbMonth, "month");
      add(`${env.name}: database password secret`, 1, PRICES.global.secretsManagerSecretMonth, "month");
    }
    add(`${env.name}: CloudWatch alarms`, deploymentAlarmCount(env.deployment) - env.deployment.alarmNames.length, PRICES.global.cloudwatchAlarmMonth, "month");
  }
  add("customer-managed KMS key", config.encryption.customerManagedKey === "create" ? 1 : 0, PRICES.global.kmsKeyMonth, "month");
  add("CodePipeline (V1, one active pipeline)", config.delivery.mode === "codepipeline" ? 1 : 0, PRICES.global.codepipelineV1PipelineMonth, "month");
  const total = rows.reduce((n, r) => n + r.monthly, 0);
  return { ...base, covered: true, rows, total };
}
