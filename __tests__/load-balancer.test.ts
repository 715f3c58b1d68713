import { describe, expect, it } from "vitest";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { resourcesOf, synth } from "./helpers";

describe("BlueGreenLoadBalancer", () => {
  it("is an internet-facing ALB in every public subnet", () => {
    const { json, stack, ref } = synth();
    expect(json).toHaveResourceWithProperties(Lb, {
      internal: false,
      load_balancer_type: "application",
      subnets: stack.network.publicSubnetIds.map((id) => ref(id)),
      security_groups: [ref(stack.environments[0].loadBalancer.securityGroup.id)],
      drop_invalid_header_fields: true,
    });
  });

  it("has two ip target groups with the configured health check and a short deregistration delay", () => {
    const { json } = synth({ loadBalancer: { healthCheckPath: "/health", deregistrationDelaySeconds: 15 } });
    for (const color of ["blue", "green"]) {
      expect(json).toHaveResourceWithProperties(LbTargetGroup, {
        name: `bluegreen-demo-production-${color}`,
        target_type: "ip",
        port: 8080,
        protocol: "HTTP",
        deregistration_delay: "15",
        health_check: { path: "/health", matcher: "200", enabled: true },
      });
    }
  });

  it("forwards production to blue and test to green, leaving later swaps to CodeDeploy", () => {
    const { json, stack, ref } = synth({ loadBalancer: { productionPort: 80, testPort: 9000 } });
    const lb = stack.environments[0].loadBalancer;
    expect(json).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "forward", target_group_arn: ref(lb.blueTargetGroup.arn) }],
      lifecycle: { ignore_changes: ["default_action"] },
    });
    expect(json).toHaveResourceWithProperties(LbListener, {
      port: 9000,
      default_action: [{ type: "forward", target_group_arn: ref(lb.greenTargetGroup.arn) }],
      lifecycle: { ignore_changes: ["default_action"] },
    });
  });

  it("opens each listener port only to its own allowed CIDRs", () => {
    const { tf, stack, ref } = synth({
      loadBalancer: { allowedCidrs: ["0.0.0.0/0"], testAllowedCidrs: ["10.20.0.0/16", "192.168.0.0/24"] },
    });
    const rules = Object.values(resourcesOf(tf, VpcSecurityGroupIngressRule.tfResourceType)).filter(
      (r) => r.security_group_id === ref(stack.environments[0].loadBalancer.securityGroup.id),
    );
    const opened = rules.map((r) => `${r.from_port}-${r.to_port}:${r.cidr_ipv4}`).sort();
    // The test listener also admits the NAT gateway's address: the smoke test calls from there.
    const nat = ref(stack.network.natPublicIps[0]);
    expect(opened).toEqual(["80-80:0.0.0.0/0", `8080-8080:${nat}/32`, "8080-8080:10.20.0.0/16", "8080-8080:192.168.0.0/24"]);
  });

  it("keeps ALB and target group names within 32 characters for a long app name, and distinct", () => {
    const long = "a-very-long-application-name-for-the-platform";
    const other = "a-very-long-application-name-for-the-platform-2";
    const names = [long, other].flatMap((appName) => {
      const { tf } = synth({ appName });
      return [
        ...Object.values(resourcesOf(tf, Lb.tfResourceType)),
        ...Object.values(resourcesOf(tf, LbTargetGroup.tfResourceType)),
      ].map((r) => r.name as string);
    });
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/);
    }
    expect(new Set(names).size).toBe(names.length);
  });
});
