import { Construct } from "constructs";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { EncryptionKey } from "../security/encryption-key";
import { NETWORK_DEFAULTS, NetworkSettings } from "./network-config";
import { VpcFlowLogs } from "./vpc-flow-logs";

export type NatGatewayMode = "one-per-az" | "single" | "none";

export interface NetworkProps {
  /** Prefix of every Name tag. */
  readonly namePrefix: string;
  /** VPC CIDR block. */
  readonly vpcCidr: string;
  /** Availability zones, one public (and private) subnet each. */
  readonly availabilityZones: string[];
  /** Public subnet CIDRs, in the order of availabilityZones. */
  readonly publicSubnetCidrs: string[];
  /** Private subnet CIDRs, in the order of availabilityZones; unused when natGateways is "none". */
  readonly privateSubnetCidrs: string[];
  /**
   * one-per-az: a NAT gateway in each AZ (survives an AZ outage); single: one NAT gateway for all;
   * none: no private subnets, tasks run in the public subnets with public IPs.
   * @default NETWORK_DEFAULTS.natGateways
   */
  readonly natGateways?: NatGatewayMode;
  /** Remove every rule of the VPC's default security group. @default NETWORK_DEFAULTS.emptyDefaultSecurityGroup */
  readonly emptyDefaultSecurityGroup?: boolean;
  /** The VPC's flow logs; false: none. @default NETWORK_DEFAULTS.flowLogs */
  readonly flowLogs?: false | { readonly trafficType?: "ALL" | "ACCEPT" | "REJECT"; readonly retentionDays?: number };
  /** Customer-managed key for the flow-log group. @default CloudWatch Logs' own encryption */
  readonly encryptionKey?: EncryptionKey;
}

/** Where the stack's load balancers, tasks and databases go: a network the stack creates, or an existing one. */
export interface NetworkPlacement {
  readonly vpcId: string;
  /** One per zone: the load balancers. */
  readonly publicSubnetIds: string[];
  /** One per zone: tasks behind NAT, and databases; none when the tasks run in the public subnets. */
  readonly privateSubnetIds: string[];
  /** Where the ECS tasks run. */
  readonly taskSubnetIds: string[];
  /** Tasks in public subnets need a public IP to pull images; tasks behind NAT must not have one. */
  readonly assignPublicIp: boolean;
  /** The public addresses the private subnets reach the internet from (their NAT gateways), when known. */
  readonly natPublicIps: string[];
}

/** VPC with public subnets behind an internet gateway and, unless natGateways is "none", private subnets behind NAT. */
export class Network extends Construct implements NetworkPlacement {
  readonly vpc: Vpc;
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly taskSubnetIds: string[];
  readonly internetGateway: InternetGateway;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  /** Where the ECS tasks run: the private subnets, or the public ones when there is no NAT. */
  readonly taskSubnets: Subnet[];
  /** Tasks in public subnets need a public IP to pull images; tasks behind NAT must not have one. */
  readonly assignPublicIp: boolean;
  /** The NAT gateways' public addresses: what the internet sees of the private subnets. None without NAT. */
  readonly natPublicIps: string[] = [];
  /** The VPC's default security group, managed to hold no rule. */
  readonly defaultSecurityGroup?: DefaultSecurityGroup;
  readonly flowLogs?: VpcFlowLogs;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natMode = props.natGateways ?? NETWORK_DEFAULTS.natGateways;
    const name = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: name("vpc"),
    });
    // AWS gives every VPC a default security group that admits its own members and allows all egress;
    // managed with no rule, it admits nothing (nothing of the stack uses it).
    if (props.emptyDefaultSecurityGroup ?? NETWORK_DEFAULTS.emptyDefaultSecurityGroup) {
      this.defaultSecurityGroup = new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, tags: name("default-no-rules") });
    }
    const flowLogs = props.flowLogs ?? NETWORK_DEFAULTS.flowLogs;
    if (flowLogs) this.flowLogs = new VpcFlowLogs(this, "flow-logs", { namePrefix: props.namePrefix, vpcId: this.vpc.id, ...flowLogs, encryptionKey: props.encryptionKey });
    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: name("igw") });
    this.internetGateway = igw;

    const publicRoutes = new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: name("public") });
    new Route(this, "public-default", {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });

    this.publicSubnets = props.availabilityZones.map((az, i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: props.publicSubnetCidrs[i],
        // Only tasks placed here (natGateways "none") need it; the ALB gets its addresses regardless.
        mapPublicIpOnLaunch: natMode === "none",
        tags: name(`public-${az}`),
      });
      new RouteTableAssociation(this, `public-${i}-rta`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });

    this.privateSubnets = [];
    if (natMode !== "none") {
      const natCount = natMode === "one-per-az" ? props.availabilityZones.length : 1;
      const nats = Array.from({ length: natCount }, (_, i) => {
        const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: name(`nat-${i}`) });
        this.natPublicIps.push(eip.publicIp);
        return new NatGateway(this, `nat-${i}`, {
          allocationId: eip.allocationId,
          subnetId: this.publicSubnets[i].id,
          tags: name(`nat-${i}`),
          dependsOn: [igw],
        });
      });
      this.privateSubnets = props.availabilityZones.map((az, i) => {
        const subnet = new Subnet(this, `private-${i}`, {
          vpcId: this.vpc.id,
          availabilityZone: az,
          cidrBlock: props.privateSubnetCidrs[i],
          tags: name(`private-${az}`),
        });
        const routes = new RouteTable(this, `private-rt-${i}`, { vpcId: this.vpc.id, tags: name(`private-${az}`) });
        new Route(this, `private-default-${i}`, {
          routeTableId: routes.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: nats[Math.min(i, nats.length - 1)].id,
        });
        new RouteTableAssociation(this, `private-${i}-rta`, { subnetId: subnet.id, routeTableId: routes.id });
        return subnet;
      });
    }
    this.taskSubnets = natMode === "none" ? this.publicSubnets : this.privateSubnets;
    this.assignPublicIp = natMode === "none";
    this.vpcId = this.vpc.id;
    this.publicSubnetIds = this.publicSubnets.map((s) => s.id);
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);
    this.taskSubnetIds = this.taskSubnets.map((s) => s.id);
  }
}

export interface ExistingNetworkProps {
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  /** The NAT gateways' public addresses, if the smoke test must reach a narrowed test listener. @default [] */
  readonly natPublicIps?: string[];
}

/**
 * A network someone else owns, given by id: nothing of it is created, changed, tagged or destroyed here.
 * Tasks and databases go into its private subnets (which must reach ECR, CloudWatch Logs and the AWS
 * APIs through NAT or VPC endpoints), load balancers into its public ones.
 */
export class ExistingNetwork extends Construct implements NetworkPlacement {
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly taskSubnetIds: string[];
  readonly assignPublicIp = false;
  readonly natPublicIps: string[];

  constructor(scope: Construct, id: string, props: ExistingNetworkProps) {
    super(scope, id);
    this.vpcId = props.vpcId;
    this.publicSubnetIds = props.publicSubnetIds;
    this.privateSubnetIds = props.privateSubnetIds;
    this.taskSubnetIds = props.privateSubnetIds;
    this.natPublicIps = props.natPublicIps ?? [];
  }
}

/** The network the config names: the existing one, given by id, or one the stack creates. */
export function placeNetwork(
  scope: Construct,
  id: string,
  props: { readonly namePrefix: string; readonly availabilityZones: string[]; readonly settings: NetworkSettings; readonly encryptionKey?: EncryptionKey },
): NetworkPlacement {
  const { existing, flowLogs, ...created } = props.settings;
  if (existing) return new ExistingNetwork(scope, id, existing);
  const { enabled, ...flowLogSettings } = flowLogs;
  return new Network(scope, id, {
    namePrefix: props.namePrefix,
    availabilityZones: props.availabilityZones,
    ...created,
    flowLogs: enabled && flowLogSettings,
    encryptionKey: props.encryptionKey,
  });
}
