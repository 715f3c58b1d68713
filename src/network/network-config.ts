import { z } from "zod";
import { addIssue, Issues, logRetention } from "../core/schema-fields";
import { cidrContains, cidrsOverlap, isCidr } from "./cidr";

export const cidrBlock = z.string().refine(isCidr, { message: "must be an IPv4 CIDR block such as 10.0.0.0/16" });

/** What the stack creates when the config names no network of its own. */
export const NETWORK_DEFAULTS = {
  vpcCidr: "10.0.0.0/16",
  publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
  privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24"],
  natGateways: "single",
  /** The VPC's default security group holds no rule (nothing of the stack uses it; AWS creates it allowing traffic). */
  emptyDefaultSecurityGroup: true,
  flowLogs: { enabled: true, trafficType: "ALL", retentionDays: 30 },
} as const;

/** `network.flowLogs`: the VPC's flow logs, to a CloudWatch log group. */
const flowLogsSchema = z.strictObject({
  enabled: z.boolean().default(NETWORK_DEFAULTS.flowLogs.enabled),
  /** Which traffic is recorded: all, only accepted, or only rejected connections (the least data). */
  trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default(NETWORK_DEFAULTS.flowLogs.trafficType),
  retentionDays: logRetention.default(NETWORK_DEFAULTS.flowLogs.retentionDays),
});

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: "must be a subnet id such as subnet-0123456789abcdef0" });

const existingNetwork = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: "must be a VPC id such as vpc-0123456789abcdef0" }),
  /** One per availability zone, in their order: the load balancers (routed to an internet gateway). */
  publicSubnetIds: z.array(subnetId),
  /** One per availability zone, in their order: tasks and databases (reaching ECR, Logs and AWS APIs through NAT or endpoints). */
  privateSubnetIds: z.array(subnetId),
  /** The NAT gateways' public IPv4 addresses: only needed when the smoke test must pass a narrowed testAllowedCidrs. */
  natPublicIps: z.array(z.ipv4({ message: "must be an IPv4 address" })).default([]),
});

/** The `network` section: a VPC the stack creates (CIDRs, NAT mode) or an existing one given by id. */
export const networkSchema = z
  .strictObject({
    vpcCidr: cidrBlock.optional(),
    /** One public subnet per AZ, in the order of availabilityZones. */
    publicSubnetCidrs: z.array(cidrBlock).optional(),
    /** One private subnet per AZ for the tasks; ignored when natGateways is "none". */
    privateSubnetCidrs: z.array(cidrBlock).optional(),
    /** one-per-az: resilient; single: one NAT for all AZs (cheap); none: tasks in public subnets with public IPs. */
    natGateways: z.enum(["one-per-az", "single", "none"]).optional(),
    /** A network the stack must not create, change or destroy, given by id (planning needs no AWS call). */
    existing: existingNetwork.optional(),
    /** Remove every rule of the VPC's default security group. @default NETWORK_DEFAULTS.emptyDefaultSecurityGroup */
    emptyDefaultSecurityGroup: z.boolean().optional(),
    /** The VPC's flow logs. @default NETWORK_DEFAULTS.flowLogs */
    flowLogs: flowLogsSchema.optional(),
  })
  .prefault({})
  .superRefine((n, ctx) => {
    if (!n.existing) return;
    for (const field of ["vpcCidr", "publicSubnetCidrs", "privateSubnetCidrs", "natGateways", "emptyDefaultSecurityGroup", "flowLogs"] as const) {
      if (n[field] !== undefined) addIssue(ctx, [field], "must be left out with network.existing: the stack creates no network then");
    }
  })
  // The defaults apply only to a network the stack creates (an existing network's tasks run in its private subnets, as behind NAT).
  .transform((n) => ({
    ...n,
    vpcCidr: n.vpcCidr ?? NETWORK_DEFAULTS.vpcCidr,
    publicSubnetCidrs: n.publicSubnetCidrs ?? [...NETWORK_DEFAULTS.publicSubnetCidrs],
    privateSubnetCidrs: n.privateSubnetCidrs ?? [...NETWORK_DEFAULTS.privateSubnetCidrs],
    natGateways: n.natGateways ?? NETWORK_DEFAULTS.natGateways,
    emptyDefaultSecurityGroup: n.emptyDefaultSecurityGroup ?? NETWORK_DEFAULTS.emptyDefaultSecurityGroup,
    flowLogs: n.flowLogs ?? { ...NETWORK_DEFAULTS.flowLogs },
  }));

export type NetworkSettings = z.output<typeof networkSchema>;

/** The network's own rules, against the zones the stack spans: a subnet per zone, inside the VPC, none overlapping. */
export function checkNetwork(network: NetworkSettings, availabilityZones: string[], ctx: Issues): void {
  const azCount = availabilityZones.length;
  const existing = network.existing;
  if (existing) {
    for (const field of ["publicSubnetIds", "privateSubnetIds"] as const) {
      if (existing[field].length !== azCount) {
        addIssue(ctx, ["network", "existing", field], `has ${existing[field].length} subnets for ${azCount} availability zones; give one per zone, in their order`);
      }
    }
    const all = [...existing.publicSubnetIds, ...existing.privateSubnetIds];
    all.forEach((id, i) => {
      if (all.indexOf(id) !== i) addIssue(ctx, ["network", "existing"], `${id} is listed twice; public and private subnets must be distinct`);
    });
  }
  const subnetLists: Array<["publicSubnetCidrs" | "privateSubnetCidrs", string[]]> = existing ? [] : [["publicSubnetCidrs", network.publicSubnetCidrs]];
  if (!existing && network.natGateways !== "none") subnetLists.push(["privateSubnetCidrs", network.privateSubnetCidrs]);
  const all: string[] = [];
  for (const [field, list] of subnetLists) {
    if (list.length < azCount) addIssue(ctx, ["network", field], `has ${list.length} subnets for ${azCount} availability zones; give one per zone`);
    list.forEach((block, i) => {
      if (!cidrContains(network.vpcCidr, block)) addIssue(ctx, ["network", field, i], `${block} does not fit in vpcCidr ${network.vpcCidr}`);
      const clash = all.find((other) => cidrsOverlap(other, block));
      if (clash) addIssue(ctx, ["network", field, i], `${block} overlaps ${clash}`);
      all.push(block);
    });
  }
}
