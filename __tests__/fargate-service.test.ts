import { describe, expect, it } from "vitest";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { onlyResource, resourcesOf, synth } from "./helpers";

describe("FargateService", () => {
  it("runs under the CODE_DEPLOY controller, attached to the blue target group only", () => {
    const { json, stack, ref } = synth();
    expect(json).toHaveResourceWithProperties(EcsService, {
      launch_type: "FARGATE",
      deployment_controller: { type: "CODE_DEPLOY" },
      load_balancer: [
        { target_group_arn: ref(stack.environments[0].loadBalancer.blueTargetGroup.arn), container_name: "web", container_port: 8080 },
      ],
      network_configuration: { security_groups: [ref(stack.environments[0].service.securityGroup.id)] },
      cluster: ref(stack.environments[0].service.cluster.id),
      task_definition: ref(stack.environments[0].service.taskDefinition.arn),
      desired_count: 1,
    });
  });

  it("is created after both listeners, so its target group already belongs to the ALB", () => {
    const { tf } = synth();
    const service = onlyResource(tf, EcsService.tfResourceType);
    const listeners = Object.keys(resourcesOf(tf, "aws_lb_listener")).map((id) => `aws_lb_listener.${id}`);
    expect(service.depends_on.sort()).toEqual(listeners.sort());
  });

  it("ignores exactly what CodeDeploy owns: task definition, load balancer, network configuration, platform version", () => {
    const { json } = synth();
    expect(json).toHaveResourceWithProperties(EcsService, {
      lifecycle: { ignore_changes: ["task_definition", "load_balancer", "network_configuration", "platform_version"] },
    });
  });

  it("with autoscaling, also leaves desired_count to the scaling policy", () => {
    const { json, stack, ref } = synth({ service: { autoScaling: { minCapacity: 2, maxCapacity: 6, targetCpuPercent: 55 } } });
    expect(json).toHaveResourceWithProperties(EcsService, {
      desired_count: 2,
      lifecycle: { ignore_changes: ["task_definition", "load_balancer", "network_configuration", "platform_version", "desired_count"] },
    });
    expect(json).toHaveResourceWithProperties(AppautoscalingTarget, {
      min_capacity: 2,
      max_capacity: 6,
      scalable_dimension: "ecs:service:DesiredCount",
      resource_id: `service/${ref(stack.environments[0].service.cluster.name)}/${ref(stack.environments[0].service.service.name)}`,
    });
    expect(json).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: "TargetTrackingScaling",
      target_tracking_scaling_policy_configuration: {
        target_value: 55,
        predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
      },
    });
  });

  it("registers a Fargate awsvpc task definition with both roles and awslogs to its log group", () => {
    const { tf, stack, ref } = synth({ service: { cpu: 512, memory: 1024, environment: { MODE: "prod" } } });
    const task = onlyResource(tf, EcsTaskDefinition.tfResourceType);
    expect(task).toMatchObject({
      family: "bluegreen-demo-production",
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      cpu: "512",
      memory: "1024",
      execution_role_arn: ref(stack.environments[0].service.executionRole.role.arn),
      task_role_arn: ref(stack.environments[0].service.taskRole.role.arn),
    });
    const containers = task.container_definitions as string;
    expect(containers).toMatch(/^\$\{jsonencode\(/);
    expect(containers).toContain('"name" = "web"');
    expect(containers).toContain('"containerPort" = 8080');
    expect(containers).toContain('"image" = "public.ecr.aws/nginx/nginx-unprivileged:stable-alpine"');
    expect(containers).toContain('"awslogs-group" = aws_cloudwatch_log_group.');
    expect(containers).toContain('"awslogs-region" = "eu-central-1"');
    expect(containers).toContain('"name" = "MODE"');
  });

  it("creates the cluster with the Container Insights setting and a log group with retention", () => {
    const { json } = synth({ service: { containerInsights: "disabled", logRetentionDays: 14 } });
    expect(json).toHaveResourceWithProperties(EcsCluster, {
      setting: [{ name: "containerInsights", value: "disabled" }],
    });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/ecs/bluegreen-demo-production", retention_in_days: 14 });
  });

  it("admits only the ALB's security group, on any TCP port (so a container port change keeps the old tasks reachable)", () => {
    const { tf, stack, ref } = synth({ service: { containerPort: 8000 } });
    const serviceSg = ref(stack.environments[0].service.securityGroup.id);
    const ingress = Object.values(resourcesOf(tf, VpcSecurityGroupIngressRule.tfResourceType)).filter(
      (r) => r.security_group_id === serviceSg,
    );
    expect(ingress).toEqual([
      expect.objectContaining({
        referenced_security_group_id: ref(stack.environments[0].loadBalancer.securityGroup.id),
        from_port: 0,
        to_port: 65535,
        ip_protocol: "tcp",
      }),
    ]);
    expect(ingress[0].cidr_ipv4).toBeUndefined();
    // And the ALB may only talk to the tasks.
    const albEgress = Object.values(resourcesOf(tf, VpcSecurityGroupEgressRule.tfResourceType)).filter(
      (r) => r.security_group_id === ref(stack.environments[0].loadBalancer.securityGroup.id),
    );
    expect(albEgress).toEqual([
      expect.objectContaining({ referenced_security_group_id: serviceSg, from_port: 0, to_port: 65535, ip_protocol: "tcp" }),
    ]);
  });
});
