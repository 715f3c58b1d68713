import { describe, expect, it } from "vitest";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { onlyResource, pipelineOf, resourcesOf, roleStatements, synth } from "./helpers";

const stagingThenProduction = {
  environments: [
    { name: "staging", deployment: { deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce" } },
    {
      name: "production",
      approval: { notifyEmails: ["release@example.com", "ops@example.com"], message: "Ship it?" },
      service: { desiredCount: 3 },
      deployment: { deploymentConfigName: "CodeDeployDefault.ECSCanary10Percent5Minutes", terminationWaitMinutes: 60 },
    },
  ],
};

describe("environments", () => {
  it("gives each environment its own load balancer, service and deployment group under one CodeDeploy application", () => {
    const { tf, json } = synth(stagingThenProduction);
    expect(Object.values(resourcesOf(tf, Lb.tfResourceType)).map((l) => l.name).sort()).toEqual([
      "bluegreen-demo-production-alb",
      "bluegreen-demo-staging-alb",
    ]);
    expect(Object.values(resourcesOf(tf, EcsService.tfResourceType)).map((s) => [s.name, s.desired_count]).sort()).toEqual([
      ["bluegreen-demo-production", 3],
      ["bluegreen-demo-staging", 1],
    ]);
    expect(Object.keys(resourcesOf(tf, CodedeployApp.tfResourceType))).toHaveLength(1);
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_group_name: "bluegreen-demo-staging-bluegreen",
      deployment_config_name: "CodeDeployDefault.ECSAllAtOnce",
    });
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_group_name: "bluegreen-demo-production-bluegreen",
      deployment_config_name: "CodeDeployDefault.ECSCanary10Percent5Minutes",
      blue_green_deployment_config: { terminate_blue_instances_on_deployment_success: { termination_wait_time_in_minutes: 60 } },
    });
  });

  it("each deployment group routes its own environment's listeners and target groups", () => {
    const { json, stack, ref } = synth(stagingThenProduction);
    for (const env of stack.environments) {
      expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
        ecs_service: { service_name: ref(env.service.service.name) },
        load_balancer_info: {
          target_group_pair_info: {
            prod_traffic_route: { listener_arns: [ref(env.loadBalancer.productionListener.arn)] },
            test_traffic_route: { listener_arns: [ref(env.loadBalancer.testListener.arn)] },
            target_group: [{ name: ref(env.loadBalancer.blueTargetGroup.name) }, { name: ref(env.loadBalancer.greenTargetGroup.name) }],
          },
        },
      });
    }
  });

  it("deploys in order, with the approval stage right before the environment that asks for it", () => {
    const { tf, stack, ref } = synth(stagingThenProduction);
    const stages = onlyResource(tf, Codepipeline.tfResourceType).stage;
    expect(stages.map((s: { name: string }) => s.name)).toEqual([
      "Source",
      "Build",
      "Deploy_to_Staging",
      "Approve_Production",
      "Deploy_to_Production",
    ]);
    const [staging, production] = stack.environments;
    expect(stages[2].action[0].configuration.DeploymentGroupName).toBe(ref(staging.deployment.deploymentGroup.deploymentGroupName));
    expect(stages[4].action[0].configuration.DeploymentGroupName).toBe(ref(production.deployment.deploymentGroup.deploymentGroupName));
    expect(stages[3].action[0]).toEqual({
      name: "Approve",
      category: "Approval",
      owner: "AWS",
      provider: "Manual",
      version: "1",
      configuration: {
        NotificationArn: ref(pipelineOf(stack).pipeline.approvalTopic!.topic.arn),
        CustomData: "Ship it?",
        ExternalEntityLink: ref(staging.url),
      },
    });
  });

  it("announces approvals on an SNS topic with the configured e-mail subscribers, which the pipeline may publish to", () => {
    const { json, tf, stack, ref } = synth(stagingThenProduction);
    expect(json).toHaveResourceWithProperties(SnsTopic, { name: "bluegreen-demo-approvals" });
    const subscriptions = Object.values(resourcesOf(tf, SnsTopicSubscription.tfResourceType));
    expect(subscriptions.map((s) => [s.protocol, s.endpoint]).sort()).toEqual([
      ["email", "ops@example.com"],
      ["email", "release@example.com"],
    ]);
    const publish = roleStatements(tf, ref(pipelineOf(stack).pipeline.role.role.id) as string).filter((st) => st.actions.includes("sns:Publish"));
    expect(publish.flatMap((st) => st.resources)).toEqual([ref(pipelineOf(stack).pipeline.approvalTopic!.topic.arn)]);
  });

  it("uses the configured review URL when one is given", () => {
    const { tf } = synth({
      environments: [{ name: "staging" }, { name: "production", approval: { reviewUrl: "https://qa.example.com/checklist" } }],
    });
    const approve = onlyResource(tf, Codepipeline.tfResourceType).stage[3].action[0];
    expect(approve.configuration.ExternalEntityLink).toBe("https://qa.example.com/checklist");
    expect(approve.configuration.CustomData).toMatch(/production/);
  });

  it("creates no approval topic when no environment needs an approval (the release topic remains)", () => {
    const s = synth({ environments: [{ name: "staging" }, { name: "production" }] });
    expect(pipelineOf(s.stack).pipeline.approvalTopic).toBeUndefined();
    expect(Object.values(resourcesOf(s.tf, SnsTopic.tfResourceType)).map((t) => t.name)).toEqual(["bluegreen-demo-releases"]);
  });

  it("the pipeline may deploy to every environment's group and pass every environment's task roles, no others", () => {
    const { tf, stack, ref } = synth(stagingThenProduction);
    const statements = roleStatements(tf, ref(pipelineOf(stack).pipeline.role.role.id) as string);
    const grantsFor = (action: string) => statements.filter((st) => st.actions.includes(action)).flatMap((st) => st.resources);
    expect(grantsFor("codedeploy:CreateDeployment")).toEqual(stack.environments.map((e) => ref(e.deployment.deploymentGroup.arn)));
    expect(grantsFor("iam:PassRole")).toEqual(
      stack.environments.flatMap((e) => [ref(e.service.executionRole.role.arn), ref(e.service.taskRole.role.arn)]),
    );
    expect(grantsFor("codedeploy:GetDeploymentConfig")).toHaveLength(2);
  });

  it("outputs each environment's URLs, and production_url/test_url for the last one", () => {
    const { tf, stack, ref } = synth(stagingThenProduction);
    const [staging, production] = stack.environments;
    expect(tf.output.staging_url.value).toBe(ref(staging.url));
    expect(tf.output.staging_test_url.value).toBe(ref(staging.testUrl));
    expect(tf.output.production_url.value).toBe(ref(production.url));
    expect(tf.output.test_url.value).toBe(ref(production.testUrl));
    expect(tf.output.approval_topic_arn.value).toBe(ref(pipelineOf(stack).pipeline.approvalTopic!.topic.arn));
  });
});
