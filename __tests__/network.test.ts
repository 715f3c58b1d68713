import { describe, expect, it } from "vitest";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Network } from "../src/network/network";
import { resourcesOf, synth } from "./helpers";

const threeAzs = {
  availabilityZones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
  network: {
    publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
    privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"],
  },
};

describe("Network", () => {
  it("creates a VPC with DNS support and hostnames", () => {
    expect(synth().json).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
  });

  it("puts one public and one private subnet in each configured AZ", () => {
    const { tf } = synth(threeAzs);
    const subnets = Object.values(resourcesOf(tf, Subnet.tfResourceType));
    const zonesOf = (pattern: RegExp) =>
      subnets.filter((s) => pattern.test(s.cidr_block)).map((s) => s.availability_zone).sort();
    expect(zonesOf(/^10\.0\.\d\./)).toEqual(threeAzs.availabilityZones);
    expect(zonesOf(/^10\.0\.1\d\./)).toEqual(threeAzs.availabilityZones);
    expect(subnets).toHaveLength(6);
  });

  it("routes the public subnets through the internet gateway and runs tasks in the private ones", () => {
    const { json, stack, ref } = synth();
    expect(json).toHaveResourceWithProperties(Route, {
      destination_cidr_block: "0.0.0.0/0",
      gateway_id: ref((stack.network as Network).internetGateway.id),
    });
    expect(stack.network.taskSubnetIds.map(ref)).toEqual(stack.network.privateSubnetIds.map(ref));
  });

  it("single: one NAT gateway serves every private subnet", () => {
    const { tf } = synth({ ...threeAzs, network: { ...threeAzs.network, natGateways: "single" } });
    expect(Object.keys(resourcesOf(tf, NatGateway.tfResourceType))).toHaveLength(1);
    const natRoutes = Object.values(resourcesOf(tf, Route.tfResourceType)).filter((r) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
  });

  it("one-per-az: each private subnet routes through the NAT gateway in its own AZ", () => {
    const { tf } = synth({ ...threeAzs, network: { ...threeAzs.network, natGateways: "one-per-az" } });
    expect(Object.keys(resourcesOf(tf, NatGateway.tfResourceType))).toHaveLength(3);
    const natRoutes = Object.values(resourcesOf(tf, Route.tfResourceType)).filter((r) => r.nat_gateway_id);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(3);
  });

  it("none: no NAT, no private subnets, tasks in public subnets with public IPs", () => {
    const { tf, json, stack, ref } = synth({ network: { natGateways: "none" } });
    expect(json).not.toHaveResource(NatGateway);
    expect(Object.keys(resourcesOf(tf, Subnet.tfResourceType))).toHaveLength(2);
    expect(json).toHaveResourceWithProperties(EcsService, {
      network_configuration: {
        subnets: stack.network.publicSubnetIds.map(ref),
        assign_public_ip: true,
      },
    });
  });

  it("tasks behind NAT get no public IP", () => {
    const { json, stack, ref } = synth();
    expect(json).toHaveResourceWithProperties(EcsService, {
      network_configuration: {
        subnets: stack.network.privateSubnetIds.map(ref),
        assign_public_ip: false,
      },
    });
  });
});
