import { describe, expect, it } from "vitest";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { parseConfig } from "../src/config";
import { TLS_POLICY } from "../src/network/load-balancer";
import { deployJobVariables, pipelineOf, rawConfig, resourceByRef, resourcesOf, synth, synthRaw } from "./helpers";

const ZONE = "Z0123456789ABCDEFGHIJ";
const CERTIFICATE = "arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666";
const withDomain = (extra: Record<string, unknown> = {}) => synth({ loadBalancer: { domainName: "shop.example.com", hostedZoneId: ZONE, ...extra } });

function bad(raw: Record<string, unknown>): string {
  try {
    parseConfig(raw);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("config was accepted");
}

describe("HTTPS with a domain", () => {
  it("requests a DNS-validated certificate through the hosted zone and waits for it", () => {
    const s = withDomain();
    const domain = s.stack.environments[0].domain!;
    expect(s.json).toHaveResourceWithProperties(AcmCertificate, { domain_name: "shop.example.com", validation_method: "DNS", lifecycle: { create_before_destroy: true } });
    const certificate = Object.keys(resourcesOf(s.tf, AcmCertificate.tfResourceType))[0];
    const option = (field: string) => `\${tolist(aws_acm_certificate.${certificate}.domain_validation_options).0.${field}}`;
    expect(s.json).toHaveResourceWithProperties(Route53Record, {
      zone_id: ZONE,
      name: option("resource_record_name"),
      type: option("resource_record_type"),
      records: [option("resource_record_value")],
    });
    expect(s.json).toHaveResourceWithProperties(AcmCertificateValidation, { certificate_arn: `\${aws_acm_certificate.${certificate}.arn}` });
    // Listeners take the ARN from the validation, so they wait until ACM has issued the certificate.
    expect(s.ref(domain.certificateArn)).toMatch(/^\$\{aws_acm_certificate_validation\./);
  });

  it("serves production over TLS 1.3 on 443, redirects 80 permanently, and serves the test listener over TLS", () => {
    const s = withDomain();
    const lb = s.stack.environments[0].loadBalancer;
    const certificateArn = s.ref(s.stack.environments[0].domain!.certificateArn);
    expect(s.json).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: "HTTPS",
      ssl_policy: TLS_POLICY,
      certificate_arn: certificateArn,
      default_action: [{ type: "forward", target_group_arn: s.ref(lb.blueTargetGroup.arn) }],
      lifecycle: { ignore_changes: ["default_action"] },
    });
    expect(s.json).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    });
    expect(s.json).toHaveResourceWithProperties(LbListener, {
      port: 8080,
      protocol: "HTTPS",
      ssl_policy: TLS_POLICY,
      certificate_arn: certificateArn,
      default_action: [{ type: "forward", target_group_arn: s.ref(lb.greenTargetGroup.arn) }],
    });
    expect(TLS_POLICY).toMatch(/TLS13/);
    // The redirect is the stack's, not CodeDeploy's: Terraform keeps it as configured.
    expect(resourceByRef(s.tf, s.ref(lb.redirectListener!.arn)).lifecycle).toBeUndefined();
  });

  it("CodeDeploy shifts the HTTPS listeners; the security group opens 443, 80 and the test port", () => {
    const s = withDomain({ testAllowedCidrs: ["0.0.0.0/0"] });
    const lb = s.stack.environments[0].loadBalancer;
    expect(s.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      load_balancer_info: {
        target_group_pair_info: {
          prod_traffic_route: { listener_arns: [s.ref(lb.productionListener.arn)] },
          test_traffic_route: { listener_arns: [s.ref(lb.testListener.arn)] },
        },
      },
    });
    const ports = Object.values(resourcesOf(s.tf, VpcSecurityGroupIngressRule.tfResourceType))
      .filter((r) => r.security_group_id === s.ref(lb.securityGroup.id))
      .map((r) => r.from_port)
      .sort((a, b) => a - b);
    expect(ports).toEqual([80, 443, 8080]);
  });

  it("turning HTTPS on keeps the port-80 rule and the production listener as they are (an in-place change, no collision mid-apply)", () => {
    const ruleFor = (st: ReturnType<typeof synth>, port: number) =>
      Object.entries(resourcesOf(st.tf, VpcSecurityGroupIngressRule.tfResourceType)).find(([, r]) => r.from_port === port)![0];
    const http = synth();
    const https = withDomain();
    expect(ruleFor(https, 80)).toBe(ruleFor(http, 80));
    const listenerId = (st: ReturnType<typeof synth>) => st.stack.environments[0].loadBalancer.productionListener.friendlyUniqueId;
    expect(listenerId(https)).toBe(listenerId(http));
    // The redirect takes port 80 only after the production listener has left it.
    expect(resourceByRef(https.tf, https.ref(https.stack.environments[0].loadBalancer.redirectListener!.arn)).depends_on).toEqual([
      `aws_lb_listener.${listenerId(https)}`,
    ]);
  });

  it("points the name at the load balancer; URLs and the smoke test use https and the name", () => {
    const s = withDomain();
    const env = s.stack.environments[0];
    expect(s.json).toHaveResourceWithProperties(Route53Record, {
      zone_id: ZONE,
      name: "shop.example.com",
      type: "A",
      alias: { name: s.ref(env.loadBalancer.loadBalancer.dnsName), zone_id: s.ref(env.loadBalancer.loadBalancer.zoneId), evaluate_target_health: true },
    });
    expect(s.tf.output.production_url.value).toBe("https://shop.example.com");
    expect(s.tf.output.production_test_url.value).toBe("https://shop.example.com:8080");
    expect(resourceByRef(s.tf, s.ref(env.smokeTest!.function.arn)).environment.variables.TARGET_URL).toBe("https://shop.example.com:8080");
  });

  it("with certificateArn: no certificate requested; the alias record only with a hosted zone", () => {
    const own = synth({ loadBalancer: { domainName: "shop.example.com", certificateArn: CERTIFICATE } });
    expect(own.json).not.toHaveResource(AcmCertificate);
    expect(own.json).not.toHaveResource(Route53Record);
    expect(own.json).toHaveResourceWithProperties(LbListener, { port: 443, certificate_arn: CERTIFICATE });
    expect(own.tf.output.production_load_balancer_dns_name.value).toBe(own.ref(own.stack.environments[0].loadBalancer.loadBalancer.dnsName));
    const zoned = synth({ loadBalancer: { domainName: "shop.example.com", certificateArn: CERTIFICATE, hostedZoneId: ZONE } });
    expect(zoned.json).not.toHaveResource(AcmCertificate);
    expect(zoned.json).toHaveResourceWithProperties(Route53Record, { name: "shop.example.com", type: "A" });
  });

  it("per environment: each its own name; an environment without one stays HTTP", () => {
    const s = synth({
      environments: [
        { name: "staging" },
        { name: "production", loadBalancer: { domainName: "shop.example.com", hostedZoneId: ZONE } },
      ],
    });
    const [staging, production] = s.stack.environments;
    expect(staging.loadBalancer.scheme).toBe("http");
    expect(production.loadBalancer.scheme).toBe("https");
    expect(Object.values(resourcesOf(s.tf, LbListener.tfResourceType)).filter((l) => l.protocol === "HTTPS")).toHaveLength(2);
  });

  it("stays plain HTTP without a domain", () => {
    const s = synth();
    expect(s.json).not.toHaveResource(AcmCertificate);
    expect(Object.values(resourcesOf(s.tf, LbListener.tfResourceType)).map((l) => `${l.protocol}:${l.port}`).sort()).toEqual(["HTTP:80", "HTTP:8080"]);
  });

  it("bad HTTPS settings are refused naming the field", () => {
    const lb = (loadBalancer: Record<string, unknown>) => bad(rawConfig({ loadBalancer }));
    expect(lb({ domainName: "shop.example.com", certificateArn: CERTIFICATE.replace("eu-central-1", "us-east-1") })).toMatch(
      /^Invalid config: loadBalancer\.certificateArn: is in us-east-1, but the stack is in eu-central-1/,
    );
    expect(lb({ domainName: "shop.example.com", certificateArn: "arn:aws:iam::123456789012:server-certificate/x" })).toMatch(/^Invalid config: loadBalancer\.certificateArn: must be an ACM certificate ARN/);
    expect(lb({ domainName: "shop..example.com", hostedZoneId: ZONE })).toMatch(/^Invalid config: loadBalancer\.domainName: must be a lowercase DNS name/);
    expect(lb({ domainName: "https://shop.example.com", hostedZoneId: ZONE })).toMatch(/^Invalid config: loadBalancer\.domainName: must be a lowercase DNS name/);
    expect(lb({ domainName: "shop.example.com", hostedZoneId: "example.com" })).toMatch(/^Invalid config: loadBalancer\.hostedZoneId: must be a Route 53 hosted zone id/);
    expect(lb({ domainName: "shop.example.com" })).toMatch(/^Invalid config: loadBalancer\.hostedZoneId: is required with domainName unless certificateArn/);
    expect(lb({ certificateArn: CERTIFICATE })).toMatch(/^Invalid config: loadBalancer\.domainName: is required with certificateArn/);
    expect(lb({ hostedZoneId: ZONE })).toMatch(/^Invalid config: loadBalancer\.hostedZoneId: needs loadBalancer\.domainName/);
    expect(lb({ domainName: "shop.example.com", hostedZoneId: ZONE, httpsPort: 8080 })).toMatch(/^Invalid config: loadBalancer\.httpsPort: must differ from testPort/);
    expect(bad(rawConfig({ loadBalancer: { domainName: "shop.example.com", hostedZoneId: ZONE }, environments: [{ name: "staging" }, { name: "production" }] }))).toMatch(
      /^Invalid config: environments\.1\.loadBalancer\.domainName: "shop\.example\.com" is also environment staging's/,
    );
  });
});

const EXISTING = {
  vpcId: "vpc-0123456789abcdef0",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b"],
  privateSubnetIds: ["subnet-0000000000000000c", "subnet-0000000000000000d"],
};
/** The default config with its network replaced (rawConfig merges objects; an existing network takes no CIDRs). */
const existingRaw = (existing: Record<string, unknown> = EXISTING, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...rawConfig(extra),
  network: { existing },
});

describe("an existing network", () => {
  const s = () => synthRaw(existingRaw());

  it("creates no VPC, subnet, route table, gateway, NAT or address", () => {
    const types = Object.keys(s().tf.resource);
    for (const type of ["aws_vpc", "aws_subnet", "aws_route_table", "aws_route", "aws_route_table_association", "aws_internet_gateway", "aws_nat_gateway", "aws_eip"]) {
      expect(types, type).not.toContain(type);
    }
  });

  it("puts the load balancers in the public subnets, tasks in the private ones without public IPs, every group in the VPC", () => {
    const st = s();
    expect(st.json).toHaveResourceWithProperties(Lb, { subnets: EXISTING.publicSubnetIds });
    expect(st.json).toHaveResourceWithProperties(EcsService, { network_configuration: { subnets: EXISTING.privateSubnetIds, assign_public_ip: false } });
    for (const group of Object.values(resourcesOf(st.tf, SecurityGroup.tfResourceType))) expect(group.vpc_id).toBe(EXISTING.vpcId);
    for (const group of Object.values(resourcesOf(st.tf, LbTargetGroup.tfResourceType))) expect(group.vpc_id).toBe(EXISTING.vpcId);
    expect(st.ref(pipelineOf(st.stack).build.environmentValues.production.SUBNET_IDS)).toBe(`\${join(",", ["${EXISTING.privateSubnetIds.join('", "')}"])}`);
  });

  it("its databases go into the private subnets; GitHub Actions deploys into them", () => {
    const db = synthRaw(existingRaw(EXISTING, { database: { enabled: true } }));
    expect(db.json).toHaveResourceWithProperties(DbSubnetGroup, { subnet_ids: EXISTING.privateSubnetIds });
    const { source: _source, ...withoutSource } = existingRaw();
    const gh = synthRaw({ ...withoutSource, delivery: { mode: "github-actions", repository: "o/r" } });
    expect(gh.ref(deployJobVariables(gh.stack).SUBNET_IDS)).toBe(`\${join(",", ["${EXISTING.privateSubnetIds.join('", "')}"])}`);
    expect(deployJobVariables(gh.stack).ASSIGN_PUBLIC_IP).toBe("DISABLED");
  });

  it("with a narrowed test listener: the smoke test runs in the private subnets and the listener admits the given NAT addresses", () => {
    const st = synthRaw(existingRaw({ ...EXISTING, natPublicIps: ["203.0.113.10", "203.0.113.11"] }, { loadBalancer: { testAllowedCidrs: ["198.51.100.0/24"] } }));
    const env = st.stack.environments[0];
    expect(resourceByRef(st.tf, st.ref(env.smokeTest!.function.arn)).vpc_config.subnet_ids).toEqual(EXISTING.privateSubnetIds);
    const cidrs = Object.values(resourcesOf(st.tf, VpcSecurityGroupIngressRule.tfResourceType))
      .filter((r) => r.security_group_id === st.ref(env.loadBalancer.securityGroup.id) && r.from_port === 8080)
      .map((r) => r.cidr_ipv4)
      .sort();
    expect(cidrs).toEqual(["198.51.100.0/24", "203.0.113.10/32", "203.0.113.11/32"]);
  });

  it("bad network settings are refused naming the field", () => {
    expect(bad(existingRaw({ ...EXISTING, vpcId: "vpc-xyz" }))).toMatch(/^Invalid config: network\.existing\.vpcId: must be a VPC id/);
    expect(bad(existingRaw({ ...EXISTING, publicSubnetIds: ["subnet-0000000000000000a", "sg-0000000000000000b"] }))).toMatch(
      /^Invalid config: network\.existing\.publicSubnetIds\.1: must be a subnet id/,
    );
    expect(bad(existingRaw({ ...EXISTING, privateSubnetIds: ["subnet-0000000000000000c"] }))).toMatch(
      /^Invalid config: network\.existing\.privateSubnetIds: has 1 subnets for 2 availability zones/,
    );
    expect(bad(existingRaw({ ...EXISTING, privateSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000d"] }))).toMatch(/listed twice/);
    expect(bad({ ...rawConfig(), network: { existing: EXISTING, vpcCidr: "10.1.0.0/16" } })).toMatch(/^Invalid config: network\.vpcCidr: must be left out with network\.existing/);
    expect(bad({ ...rawConfig(), network: { existing: EXISTING, natGateways: "none" } })).toMatch(/^Invalid config: network\.natGateways: must be left out with network\.existing/);
    expect(bad(existingRaw(EXISTING, { loadBalancer: { testAllowedCidrs: ["198.51.100.0/24"] } }))).toMatch(
      /^Invalid config: loadBalancer\.testAllowedCidrs: shuts out the smoke test: in an existing network .*natPublicIps/,
    );
  });
});

describe("HTTPS, an existing network and a custom shift with GitHub Actions delivery", () => {
  it("work together: the workflow's variables name the existing subnets, the group uses the custom config, production is HTTPS", () => {
    const { source: _source, ...raw } = existingRaw(EXISTING, {
      loadBalancer: { domainName: "shop.example.com", hostedZoneId: ZONE },
      deployment: { trafficShifting: { type: "linear", percent: 10, intervalMinutes: 1 } },
    });
    const s = synthRaw({ ...raw, delivery: { mode: "github-actions", repository: "o/r" } });
    const variables = deployJobVariables(s.stack);
    expect(s.ref(variables.SUBNET_IDS)).toBe(`\${join(",", ["${EXISTING.privateSubnetIds.join('", "')}"])}`);
    expect(Object.keys(s.tf.resource)).not.toContain("aws_vpc");
    expect(s.json).toHaveResourceWithProperties(LbListener, { port: 443, protocol: "HTTPS" });
    expect(s.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_config_name: s.ref(s.stack.environments[0].deployment.deploymentConfigName),
    });
    expect(String(s.ref(s.stack.environments[0].deployment.deploymentConfigName))).toMatch(/^\$\{aws_codedeploy_deployment_config\./);
    expect(s.tf.output.production_url.value).toBe("https://shop.example.com");
  });
});
