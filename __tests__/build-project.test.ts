import { describe, expect, it } from "vitest";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { BUILD_ENVIRONMENT_VARIABLES, OPTIONAL_BUILD_VARIABLES } from "../src/delivery/build-project";
import { PER_ENVIRONMENT_VARIABLES } from "../src/delivery/application-contract";
import { onlyResource, pipelineOf, synth } from "./helpers";

describe("BuildProject", () => {
  it("is a privileged Docker build fed by and feeding CodePipeline, logging to CloudWatch", () => {
    const { json, stack, ref } = synth({ build: { computeType: "BUILD_GENERAL1_MEDIUM", timeoutMinutes: 20 } });
    expect(json).toHaveResourceWithProperties(CodebuildProject, {
      name: "bluegreen-demo-build",
      service_role: ref(pipelineOf(stack).build.role.role.arn),
      build_timeout: 20,
      source: { type: "CODEPIPELINE", buildspec: "buildspec.yml" },
      artifacts: { type: "CODEPIPELINE" },
      environment: { type: "LINUX_CONTAINER", compute_type: "BUILD_GENERAL1_MEDIUM", privileged_mode: true },
      logs_config: {
        cloudwatch_logs: { status: "ENABLED", group_name: ref(pipelineOf(stack).build.logGroup.name) },
      },
    });
  });

  it("hands the buildspec the build-wide values and, per environment, what its taskdef and appspec need", () => {
    const { tf, stack, ref } = synth();
    const vars = Object.fromEntries(
      onlyResource(tf, CodebuildProject.tfResourceType).environment.environment_variable.map(
        (v: { name: string; value: string }) => [v.name, v.value],
      ),
    );
    // The default config runs the sample app's tests in the built image.
    expect(Object.keys(vars).sort()).toEqual([...BUILD_ENVIRONMENT_VARIABLES, ...OPTIONAL_BUILD_VARIABLES].sort());
    expect(vars.TEST_COMMAND).toBe("npm test");
    expect(vars.REPOSITORY_URI).toBe(ref(stack.repository.repository.repositoryUrl));
    expect(vars.CONTAINER_NAME).toBe("web");
    expect(vars.CONTAINER_PORT).toBe("8080");
    expect(vars.DEPLOY_ENVIRONMENTS).toMatch(/^\$\{jsonencode\(\{"production" = \{/);

    const service = stack.environments[0].service;
    expect(ref(pipelineOf(stack).build.environmentValues)).toEqual({
      production: {
        TASK_FAMILY: ref(service.taskDefinition.family),
        EXECUTION_ROLE_ARN: ref(service.executionRole.role.arn),
        TASK_ROLE_ARN: ref(service.taskRole.role.arn),
        TASK_CPU: "256",
        TASK_MEMORY: "512",
        CPU_ARCHITECTURE: "X86_64",
        CONTAINER_ENVIRONMENT: "${jsonencode([])}",
        CONTAINER_SECRETS: "${jsonencode([])}",
        CONTAINER_HEALTH_CHECK: "null",
        LOG_GROUP_NAME: ref(service.logGroup.name),
        SUBNET_IDS: `\${join(",", [${stack.network.privateSubnetIds.map((id) => String(ref(id)).slice(2, -1)).join(", ")}])}`,
        SECURITY_GROUP_IDS: ref(service.securityGroup.id),
        ASSIGN_PUBLIC_IP: "DISABLED",
        APPSPEC_HOOKS: `Hooks: \${jsonencode([{"AfterAllowTestTraffic" = ${String(ref(stack.environments[0].smokeTest!.function.arn)).slice(2, -1)}}])}`,
      },
    });
    expect(Object.keys(pipelineOf(stack).build.environmentValues.production).sort()).toEqual([...PER_ENVIRONMENT_VARIABLES].sort());
  });

  it("lists every environment, in deployment order, each with its own service's values", () => {
    const { stack, ref } = synth({ environments: [{ name: "staging" }, { name: "production", service: { cpu: 512, memory: 1024 } }] });
    expect(Object.keys(pipelineOf(stack).build.environmentValues)).toEqual(["staging", "production"]);
    const [staging, production] = stack.environments;
    expect(ref(pipelineOf(stack).build.environmentValues.staging.TASK_FAMILY)).toBe(ref(staging.service.taskDefinition.family));
    expect(ref(pipelineOf(stack).build.environmentValues.production.TASK_FAMILY)).toBe(ref(production.service.taskDefinition.family));
    expect(pipelineOf(stack).build.environmentValues.production.TASK_CPU).toBe("512");
    expect(pipelineOf(stack).build.environmentValues.staging.TASK_CPU).toBe("256");
  });

  it("passes the test command to the buildspec only when one is configured", () => {
    const vars = (overrides: Record<string, unknown>) =>
      onlyResource(synth(overrides).tf, CodebuildProject.tfResourceType).environment.environment_variable.map((v: { name: string }) => v.name);
    expect(vars({ build: { testCommand: undefined } })).not.toContain("TEST_COMMAND");
    const project = onlyResource(synth({ build: { testCommand: "npm run test:unit" } }).tf, CodebuildProject.tfResourceType);
    expect(project.environment.environment_variable).toContainEqual({ name: "TEST_COMMAND", value: "npm run test:unit", type: "PLAINTEXT" });
  });

  it("caches in the artifact bucket (s3), on the build host (local), or not at all", () => {
    const s3 = synth({ build: { cache: "s3" } });
    expect(s3.json).toHaveResourceWithProperties(CodebuildProject, {
      cache: { type: "S3", location: `${s3.ref(pipelineOf(s3.stack).artifacts.bucket.bucket)}/build-cache` },
    });
    expect(synth({ build: { cache: "local" } }).json).toHaveResourceWithProperties(CodebuildProject, {
      cache: { type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"] },
    });
    expect(synth().json).toHaveResourceWithProperties(CodebuildProject, { cache: { type: "NO_CACHE" } });
  });
});
