import { describe, expect, it } from "vitest";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { parseConfig } from "../src/config";
import { rawConfig, synth } from "./helpers";

describe("BlueGreenDeployment", () => {
  it("creates an ECS CodeDeploy application", () => {
    expect(synth().json).toHaveResourceWithProperties(CodedeployApp, { name: "bluegreen-demo", compute_platform: "ECS" });
  });

  it("deploys BLUE_GREEN with traffic control over both target groups and both listeners", () => {
    const { json, stack, ref } = synth();
    const lb = stack.environments[0].loadBalancer;
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      app_name: ref(stack.trafficControl.application.application.name),
      service_role_arn: ref(stack.environments[0].deployment.role.role.arn),
      deployment_style: { deployment_type: "BLUE_GREEN", deployment_option: "WITH_TRAFFIC_CONTROL" },
      ecs_service: { cluster_name: ref(stack.environments[0].service.cluster.name), service_name: ref(stack.environments[0].service.service.name) },
      load_balancer_info: {
        target_group_pair_info: {
          prod_traffic_route: { listener_arns: [ref(lb.productionListener.arn)] },
          test_traffic_route: { listener_arns: [ref(lb.testListener.arn)] },
          target_group: [{ name: ref(lb.blueTargetGroup.name) }, { name: ref(lb.greenTargetGroup.name) }],
        },
      },
    });
  });

  it("rolls back automatically when a deployment fails, and when an alarm stops it", () => {
    expect(synth().json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
    });
  });

  it("rolls back on failure only, and watches no alarm, when alarms are off and none are named", () => {
    const { json } = synth({ deployment: { alarms: { enabled: false } } });
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE"] },
    });
    expect(json).not.toHaveResourceWithProperties(CodedeployDeploymentGroup, { alarm_configuration: {} });
  });

  it("uses the configured deployment config and blue termination wait", () => {
    const { json } = synth({
      deployment: { deploymentConfigName: "CodeDeployDefault.ECSCanary10Percent5Minutes", terminationWaitMinutes: 15 },
    });
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_config_name: "CodeDeployDefault.ECSCanary10Percent5Minutes",
      blue_green_deployment_config: {
        terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 15 },
      },
    });
  });

  it("reroutes automatically by default", () => {
    expect(synth().json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_config_name: "CodeDeployDefault.ECSAllAtOnce",
      blue_green_deployment_config: { deployment_ready_option: { action_on_timeout: "CONTINUE_DEPLOYMENT" } },
    });
  });

  it("with manual reroute, waits the configured minutes for someone to reroute", () => {
    const { json, tf } = synth({ deployment: { trafficReroute: "manual", rerouteWaitMinutes: 120 } });
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      blue_green_deployment_config: {
        deployment_ready_option: { action_on_timeout: "STOP_DEPLOYMENT", wait_time_in_minutes: 120 },
      },
    });
    const group = Object.values(tf.resource.aws_codedeploy_deployment_group)[0];
    expect(group.blue_green_deployment_config.deployment_ready_option.action_on_timeout).not.toBe("CONTINUE_DEPLOYMENT");
  });
});

describe("custom traffic shifting", () => {
  it("creates an ECS deployment config with the canary step and interval, and the group uses it", () => {
    const s = synth({ deployment: { trafficShifting: { type: "canary", percent: 20, intervalMinutes: 15 } } });
    expect(s.json).toHaveResourceWithProperties(CodedeployDeploymentConfig, {
      deployment_config_name: "bluegreen-demo-production-canary-20pct-every-15min",
      compute_platform: "ECS",
      traffic_routing_config: { type: "TimeBasedCanary", time_based_canary: { interval: 15, percentage: 20 } },
      lifecycle: { create_before_destroy: true },
    });
    const config = s.stack.environments[0].deployment.deploymentConfigName;
    expect(s.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, { deployment_config_name: s.ref(config) });
    // The deployer may read exactly that config.
    const doc = JSON.stringify(s.tf.data.aws_iam_policy_document);
    expect(doc).toContain(`deploymentconfig:${s.ref(config)}`.replace(/"/g, '\\"'));
  });

  it("linear per environment; an environment's predefined config replaces an inherited custom one", () => {
    const s = synth({
      deployment: { trafficShifting: { type: "linear", percent: 25, intervalMinutes: 2 } },
      environments: [{ name: "staging", deployment: { deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce" } }, { name: "production" }],
    });
    expect(s.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_group_name: "bluegreen-demo-staging-bluegreen",
      deployment_config_name: "CodeDeployDefault.ECSAllAtOnce",
    });
    expect(s.json).toHaveResourceWithProperties(CodedeployDeploymentConfig, {
      deployment_config_name: "bluegreen-demo-production-linear-25pct-every-2min",
      traffic_routing_config: { type: "TimeBasedLinear", time_based_linear: { interval: 2, percentage: 25 } },
    });
    expect(Object.keys(s.tf.resource.aws_codedeploy_deployment_config)).toHaveLength(1);
  });

  it("bad shifting settings are refused naming the field", () => {
    const bad = (trafficShifting: unknown) => {
      try {
        parseConfig(rawConfig({ deployment: { trafficShifting } }));
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(bad({ type: "canary", percent: 100, intervalMinutes: 5 })).toMatch(/^Invalid config: deployment\.trafficShifting\.percent: must be at most 99/);
    expect(bad({ type: "canary", percent: 0, intervalMinutes: 5 })).toMatch(/^Invalid config: deployment\.trafficShifting\.percent: must be at least 1/);
    expect(bad({ type: "linear", percent: 10, intervalMinutes: 2881 })).toMatch(/^Invalid config: deployment\.trafficShifting\.intervalMinutes: must be at most 2880/);
    expect(bad({ type: "blue", percent: 10, intervalMinutes: 5 })).toMatch(/^Invalid config: deployment\.trafficShifting\.type: must be one of "canary", "linear"/);
  });
});
