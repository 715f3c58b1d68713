import { describe, expect, it } from "vitest";
import { Testing } from "cdktf";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { CodecommitRepository } from "@cdktf/provider-aws/lib/codecommit-repository";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { loadConfig } from "../src/config";
import { BlueGreenStack } from "../src/stack";
import { githubActionsOf, onlyResource, resourcesOf } from "./helpers";

function synthExample(file: string) {
  const config = loadConfig({ CONFIG: `examples/${file}` });
  const stack = new BlueGreenStack(Testing.app(), config.appName, config);
  const json = Testing.synth(stack);
  const tf = JSON.parse(json);
  const pipelines = Object.values(resourcesOf(tf, Codepipeline.tfResourceType));
  const stages = (pipelines[0]?.stage ?? []) as Array<{ name: string; action: any[] }>;
  return { json, tf, stack, stages, actions: stages.map((s) => s.action[0]) };
}

describe("examples/seed-004-github-actions.json", () => {
  const ex = synthExample("seed-004-github-actions.json");

  it("has no CodePipeline or CodeBuild: the GitHub workflow builds and deploys", () => {
    expect(ex.json).not.toHaveResource(Codepipeline);
    expect(ex.json).not.toHaveResource(CodebuildProject);
    expect(ex.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_style: { deployment_type: "BLUE_GREEN", deployment_option: "WITH_TRAFFIC_CONTROL" },
    });
  });

  it("lets only jobs in the repository's production GitHub environment assume the deploy role, and pushes from main", () => {
    expect(githubActionsOf(ex.stack).subjects).toEqual({
      push: "repo:my-org/ecs-service:ref:refs/heads/main",
      deploy: ["repo:my-org/ecs-service:environment:production"],
    });
    expect(ex.tf.output.github_actions_deploy_role_arn).toBeDefined();
  });
});

describe("examples/seed-000-github-oauth.json", () => {
  const ex = synthExample("seed-000-github-oauth.json");

  it("sources from GitHub with the legacy v1 action, the token read from Secrets Manager by name", () => {
    expect(ex.stages.map((s) => s.name)).toEqual(["Source", "Build", "Deploy_to_Production"]);
    expect(ex.actions[0]).toMatchObject({ owner: "ThirdParty", provider: "GitHub", version: "1" });
    expect(ex.actions[0].configuration).toMatchObject({ Owner: "snowiow", Repo: "green-blue-ecs-example", Branch: "master" });
    expect(ex.json).toHaveDataSourceWithProperties(DataAwsSecretsmanagerSecretVersion, { secret_id: "green-blue-ecs-example/github-oauth-token" });
  });

  it("runs three tasks in three public subnets with public IPs, no NAT", () => {
    expect(Object.values(resourcesOf(ex.tf, Subnet.tfResourceType)).map((s) => s.cidr_block).sort()).toEqual([
      "172.16.0.0/21",
      "172.16.16.0/21",
      "172.16.8.0/21",
    ]);
    expect(ex.json).not.toHaveResource(NatGateway);
    expect(ex.json).toHaveResourceWithProperties(EcsService, { desired_count: 3, network_configuration: { assign_public_ip: true } });
  });
});

describe("examples/seed-001-postgres-codestar.json", () => {
  const ex = synthExample("seed-001-postgres-codestar.json");

  it("chains ALB → app (container port 4000) → PostgreSQL on 5432, each from the group before only", () => {
    const env = ex.stack.environments[0];
    expect(env.service.containerPort).toBe(4000);
    const rules = Object.values(resourcesOf(ex.tf, "aws_vpc_security_group_ingress_rule"));
    const appRules = rules.filter((r) => r.referenced_security_group_id?.includes("aws_security_group.production_lb_sg_"));
    const dbRules = rules.filter((r) => r.from_port === 5432);
    expect(appRules).toHaveLength(1);
    expect(dbRules).toHaveLength(1);
    expect(appRules[0].referenced_security_group_id).toMatch(/aws_security_group\.production_lb_sg_/);
    expect(dbRules[0].referenced_security_group_id).toMatch(/aws_security_group\.production_ecs_sg_/);
    expect(dbRules[0].security_group_id).toMatch(/aws_security_group\.production_db_sg_/);
    expect(env.database).toBeDefined();
  });

  it("keeps the database private and snapshots it on delete; the build reads .aws/buildspec.yml", () => {
    expect(ex.json).toHaveResourceWithProperties(DbInstance, {
      engine: "postgres",
      instance_class: "db.t3.small",
      publicly_accessible: false,
      skip_final_snapshot: false,
      manage_master_user_password: true,
    });
    expect(onlyResource(ex.tf, CodebuildProject.tfResourceType).source.buildspec).toBe(".aws/buildspec.yml");
  });

  it("deploys into the existing VPC the seed takes as VpcId, and serves HTTPS on 443 as the seed's ALB does", () => {
    expect(Object.keys(ex.tf.resource)).not.toContain("aws_vpc");
    expect(Object.keys(ex.tf.resource)).not.toContain("aws_subnet");
    for (const group of Object.values(resourcesOf(ex.tf, "aws_security_group"))) expect(group.vpc_id).toBe("vpc-0000000000000a001");
    const listeners = Object.values(resourcesOf(ex.tf, "aws_lb_listener")).map((l) => `${l.protocol}:${l.port}`).sort();
    expect(listeners).toEqual(["HTTP:80", "HTTPS:443", "HTTPS:8080"]);
    expect(ex.tf.output.production_url.value).toBe("https://myapp.example.com");
  });

  it("encrypts the ECR repository with the stack's customer-managed KMS key", () => {
    const repository = onlyResource(ex.tf, EcrRepository.tfResourceType);
    expect(repository.encryption_configuration).toEqual([{ encryption_type: "KMS", kms_key: expect.stringMatching(/^\$\{aws_kms_key\.[^.]+\.arn\}$/) }]);
  });
});

describe("examples/seed-002-staging-production.json", () => {
  const ex = synthExample("seed-002-staging-production.json");

  it("deploys to staging, waits for an approval, then deploys to production", () => {
    expect(ex.stages.map((s) => s.name)).toEqual(["Source", "Build", "Deploy_to_Staging", "Approve_Production", "Deploy_to_Production"]);
    expect(ex.actions.map((a) => a.provider)).toEqual(["CodeStarSourceConnection", "CodeBuild", "CodeDeployToECS", "Manual", "CodeDeployToECS"]);
    expect(ex.actions[2].configuration).toMatchObject({ TaskDefinitionTemplatePath: "taskdef-staging.json", AppSpecTemplatePath: "appspec-staging.yaml" });
    expect(ex.actions[4].configuration).toMatchObject({ TaskDefinitionTemplatePath: "taskdef-production.json", AppSpecTemplatePath: "appspec-production.yaml" });
    expect(ex.actions[3].configuration.CustomData).toBe("Staging looks good? Approve to deploy to production.");
  });

  it("uses the existing connection with a full clone, and creates none", () => {
    expect(ex.actions[0].configuration).toMatchObject({
      ConnectionArn: "arn:aws:codestar-connections:eu-west-2:123456789012:connection/00000000-0000-0000-0000-000000000000",
      OutputArtifactFormat: "CODEBUILD_CLONE_REF",
      BranchName: "master",
    });
    expect(ex.json).not.toHaveResource(CodestarconnectionsConnection);
  });

  it("runs the test suite in the build and caches in S3", () => {
    const project = onlyResource(ex.tf, CodebuildProject.tfResourceType);
    expect(project.cache.type).toBe("S3");
    expect(project.environment.environment_variable).toContainEqual({ name: "TEST_COMMAND", value: ".codebuild/run-tests.sh", type: "PLAINTEXT" });
  });

  it("all at once in staging, canary in production, with per-environment termination waits and auto-rollback", () => {
    expect(ex.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_group_name: "accord-odr-staging-bluegreen",
      deployment_config_name: "CodeDeployDefault.ECSAllAtOnce",
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
      blue_green_deployment_config: { terminate_blue_instances_on_deployment_success: { termination_wait_time_in_minutes: 5 } },
    });
    expect(ex.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_group_name: "accord-odr-production-bluegreen",
      deployment_config_name: "CodeDeployDefault.ECSCanary10Percent5Minutes",
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
      blue_green_deployment_config: { terminate_blue_instances_on_deployment_success: { termination_wait_time_in_minutes: 60 } },
    });
  });
});

describe("examples/seed-003-codecommit-manual-reroute.json", () => {
  const ex = synthExample("seed-003-codecommit-manual-reroute.json");

  it("creates the CodeCommit repository the pipeline reads, with clone URLs as outputs", () => {
    expect(ex.json).toHaveResourceWithProperties(CodecommitRepository, { repository_name: "ecs-deployment-pipeline" });
    expect(ex.actions[0]).toMatchObject({ provider: "CodeCommit", configuration: { RepositoryName: "ecs-deployment-pipeline", BranchName: "main" } });
    expect(Object.keys(ex.tf.output)).toEqual(expect.arrayContaining(["codecommit_clone_url_http", "codecommit_clone_url_ssh"]));
  });

  it("waits for a person to reroute traffic after QA on the 8080 test listener", () => {
    expect(ex.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      blue_green_deployment_config: {
        deployment_ready_option: { action_on_timeout: "STOP_DEPLOYMENT", wait_time_in_minutes: 120 },
        terminate_blue_instances_on_deployment_success: { termination_wait_time_in_minutes: 5 },
      },
    });
    expect(ex.tf.output.test_url.value).toMatch(/:8080$/);
  });

  it("has a NAT gateway per AZ and a local Docker layer cache", () => {
    expect(Object.keys(resourcesOf(ex.tf, NatGateway.tfResourceType))).toHaveLength(2);
    expect(onlyResource(ex.tf, CodebuildProject.tfResourceType).cache).toEqual({ type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"] });
  });
});

describe("examples/two-environments-database-autoscaling.json", () => {
  const ex = synthExample("two-environments-database-autoscaling.json");

  it("gives each environment its own encrypted database and its own CPU autoscaling range", () => {
    const databases = Object.values(resourcesOf(ex.tf, DbInstance.tfResourceType));
    expect(databases.map((db) => db.identifier).sort()).toEqual(["shop-production-db", "shop-staging-db"]);
    for (const db of databases) expect(db.kms_key_id).toMatch(/^\$\{aws_kms_key\./);
    const targets = Object.values(resourcesOf(ex.tf, AppautoscalingTarget.tfResourceType));
    expect(targets.map((t) => [t.min_capacity, t.max_capacity]).sort()).toEqual([
      [1, 4],
      [2, 4],
    ]);
  });

  it("leaves the task count to autoscaling on both services", () => {
    for (const service of Object.values(resourcesOf(ex.tf, EcsService.tfResourceType))) {
      expect(service.lifecycle.ignore_changes).toContain("desired_count");
    }
  });
});

describe("examples/real-application.json", () => {
  const { stack } = synthExample("real-application.json");
  const [staging, production] = stack.environments;

  it("hands each environment its own secrets, by reference: staging's by name, production's by ARN, name and parameter", () => {
    const refs = (env: typeof staging) => env.service.secrets.map((s) => [s.name, typeof s.valueFrom === "string" && !s.valueFrom.includes("${") ? s.valueFrom : "(looked up)"]);
    expect(refs(staging)).toEqual([
      ["API_TOKEN", "(looked up)"],
      ["SIGNING_KEY", "(looked up)"],
      ["FEATURE_FLAGS", "/shop/staging/feature-flags"],
    ]);
    expect(refs(production)).toEqual([
      ["API_TOKEN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/production/api-token-AbCdEf:token::"],
      ["SIGNING_KEY", "(looked up)"],
      ["FEATURE_FLAGS", "/shop/production/feature-flags"],
    ]);
  });

  it("runs on Graviton with ECS Exec and a container health check, built on an ARM CodeBuild image", () => {
    for (const env of [staging, production]) {
      expect(env.service.cpuArchitecture).toBe("ARM64");
      expect(env.service.healthCheck?.command).toEqual(["CMD", "node", "src/healthcheck.mjs"]);
    }
    const tf = JSON.parse(Testing.synth(stack));
    expect(Object.values(resourcesOf(tf, EcsService.tfResourceType)).map((s) => s.enable_execute_command)).toEqual([true, true]);
    expect(onlyResource(tf, CodebuildProject.tfResourceType).environment.type).toBe("ARM_CONTAINER");
  });
});

describe("examples/github-actions-two-environments.json", () => {
  const { stack, json } = synthExample("github-actions-two-environments.json");

  it("deploys staging, then production behind the production GitHub environment's reviewers, each with its own role", () => {
    const delivery = githubActionsOf(stack);
    expect(delivery.githubEnvironments).toEqual(["staging", "production"]);
    expect(delivery.subjects.deploy).toEqual(["repo:my-org/shop:environment:staging", "repo:my-org/shop:environment:production"]);
    expect(delivery.deployRoles).toHaveLength(2);
    expect(json).not.toHaveResource(Codepipeline);
  });
});
