import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  Tag,
} from "@aws-sdk/client-ec2";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { StackConfig } from "../../src/config";
import { storeApplicationSecrets } from "./application";
import { Check, ClientConfig } from "./checks";

/**
 * What a user owns before deploying a stack that names it: an existing network, a hosted zone, the
 * application's secrets. The e2e
 * creates it through the SDK, hands the stack its real ids as CONFIG__ overrides (the examples carry
 * placeholders), and after the destroy proves it is still there, untouched.
 */
export interface UserInfrastructure {
  /** CONFIG__ overrides naming the created infrastructure. */
  readonly overrides: Record<string, string>;
  /** Every EC2 object of the user's network, with its tags, as created. */
  readonly network?: NetworkSnapshot;
}

export type NetworkSnapshot = Record<string, { readonly kind: string; readonly tags: Record<string, string> }>;

const OWNER_TAGS: Tag[] = [
  { Key: "owner", Value: "platform-team" },
  { Key: "purpose", Value: "e2e: a network no application stack may change" },
];

function tagsOf(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key!, t.Value!]).sort(([a], [b]) => a.localeCompare(b)));
}

/** Creates what the config names but does not create; returns the overrides that point the stack at it. */
export async function createUserInfrastructure(config: StackConfig, clientConfig: ClientConfig): Promise<UserInfrastructure> {
  const overrides: Record<string, string> = {};
  let network: NetworkSnapshot | undefined;
  if (config.network.existing) {
    const created = await createNetwork(config.availabilityZones, clientConfig);
    overrides.CONFIG__network = JSON.stringify({ existing: { ...config.network.existing, ...created.ids } });
    network = created.snapshot;
  }
  const zoned = config.environments.filter((env) => env.loadBalancer.hostedZoneId);
  if (zoned.length) {
    // The examples name their zone at the top level; one zone for the parent domain of every name.
    const domain = zoned[0].loadBalancer.domainName!.split(".").slice(1).join(".");
    const zone = await new Route53Client(clientConfig).send(
      new CreateHostedZoneCommand({ Name: domain, CallerReference: `e2e-${Date.now()}-${Math.random()}` }),
    );
    overrides.CONFIG__loadBalancer__hostedZoneId = zone.HostedZone!.Id!.replace("/hostedzone/", "");
  }
  await storeApplicationSecrets(config, clientConfig, overrides);
  return { overrides, network };
}

/** A VPC as a platform team would hand it over: public subnets routed to an internet gateway, private ones behind NAT. */
async function createNetwork(zones: string[], clientConfig: ClientConfig) {
  const ec2 = new EC2Client(clientConfig);
  const tagged = (type: string, name: string) => [{ ResourceType: type as any, Tags: [...OWNER_TAGS, { Key: "Name", Value: name }] }];
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.50.0.0/16", TagSpecifications: tagged("vpc", "shared-vpc") }))).Vpc!.VpcId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: tagged("internet-gateway", "shared-igw") }))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  const subnet = async (cidr: string, zone: string, name: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: zone, TagSpecifications: tagged("subnet", name) }))).Subnet!.SubnetId!;
  const publicSubnetIds: string[] = [];
  const privateSubnetIds: string[] = [];
  for (const [i, zone] of zones.entries()) {
    publicSubnetIds.push(await subnet(`10.50.${i}.0/24`, zone, `shared-public-${zone}`));
    privateSubnetIds.push(await subnet(`10.50.${10 + i}.0/24`, zone, `shared-private-${zone}`));
  }
  const publicRoutes = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc, TagSpecifications: tagged("route-table", "shared-public") }))).RouteTable!.RouteTableId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: publicRoutes, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  for (const id of publicSubnetIds) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRoutes, SubnetId: id }));
  const eip = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagged("elastic-ip", "shared-nat") }))).AllocationId!;
  const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnetIds[0], AllocationId: eip, TagSpecifications: tagged("natgateway", "shared-nat") })))
    .NatGateway!.NatGatewayId!;
  const privateRoutes = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc, TagSpecifications: tagged("route-table", "shared-private") }))).RouteTable!.RouteTableId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: privateRoutes, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }));
  for (const id of privateSubnetIds) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: privateRoutes, SubnetId: id }));
  const snapshot = await describeNetwork(vpc, clientConfig);
  return { ids: { vpcId: vpc, publicSubnetIds, privateSubnetIds }, snapshot };
}

/** Every object of the VPC (itself, subnets, route tables, gateways) with its tags, by id. */
async function describeNetwork(vpcId: string, clientConfig: ClientConfig): Promise<NetworkSnapshot> {
  const ec2 = new EC2Client(clientConfig);
  const inVpc = [{ Name: "vpc-id", Values: [vpcId] }];
  const out: Record<string, { kind: string; tags: Record<string, string> }> = {};
  for (const v of (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs ?? []) out[v.VpcId!] = { kind: "vpc", tags: tagsOf(v.Tags) };
  for (const s of (await ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets ?? []) out[s.SubnetId!] = { kind: "subnet", tags: tagsOf(s.Tags) };
  for (const r of (await ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc }))).RouteTables ?? []) {
    // Routes too: the stack must not add or remove any.
    const routes = (r.Routes ?? []).map((x) => `${x.DestinationCidrBlock}>${x.GatewayId ?? x.NatGatewayId ?? ""}`).sort().join(" ");
    out[r.RouteTableId!] = { kind: `route table [${routes}]`, tags: tagsOf(r.Tags) };
  }
  for (const g of (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }))).InternetGateways ?? []) {
    out[g.InternetGatewayId!] = { kind: "internet gateway", tags: tagsOf(g.Tags) };
  }
  for (const n of (await ec2.send(new DescribeNatGatewaysCommand({ Filter: inVpc }))).NatGateways ?? []) {
    if (n.State !== "deleted") out[n.NatGatewayId!] = { kind: "NAT gateway", tags: tagsOf(n.Tags) };
  }
  return out;
}

/** After the destroy: the user's network is all still there, with the same ids, tags and routes. */
export async function checkUserNetworkIntact(before: NetworkSnapshot, clientConfig: ClientConfig): Promise<Check> {
  const name = "the existing network is untouched (VPC, subnets, route tables and routes, gateways: same ids and tags)";
  try {
    const vpcId = Object.entries(before).find(([, v]) => v.kind === "vpc")![0];
    const after = await describeNetwork(vpcId, clientConfig);
    const canonical = (snapshot: NetworkSnapshot) => JSON.stringify(Object.entries(snapshot).sort(([x], [y]) => x.localeCompare(y)));
    const [a, b] = [canonical(after), canonical(before)];
    const summary = Object.values(before).reduce<Record<string, number>>((n, v) => ({ ...n, [v.kind.split(" [")[0]]: (n[v.kind.split(" [")[0]] ?? 0) + 1 }), {});
    return a === b
      ? { name, ok: true, detail: Object.entries(summary).map(([k, v]) => `${v} ${k}`).join(", ") }
      : { name, ok: false, detail: `before ${b}\nafter ${a}` };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message };
  }
}
