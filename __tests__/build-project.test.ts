import { describe, expect, it } from "vitest";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { BUILD_ENVIRONMENT_VARIABLES } from "../src/build-project";
import { onlyResource, synth } from "./helpers";

describe("BuildProject", () => {
  it("is a privileged Docker build fed by and feeding CodePipeline, logging to CloudWatch", () => {
    const { json, stack, ref } = synth({ build: { computeType: "BUILD_GENERAL1_MEDIUM", timeoutMinutes: 20 } });
    expect(json).toHaveResourceWithProperties(CodebuildProject, {
      name: "bluegreen-demo-build",
      service_role: ref(stack.build.role.role.arn),
      build_timeout: 20,
      source: { type: "CODEPIPELINE", buildspec: "buildspec.yml" },
      artifacts: { type: "CODEPIPELINE" },
      environment: { type: "LINUX_CONTAINER", compute_type: "BUILD_GENERAL1_MEDIUM", privileged_mode: true },
      logs_config: {
        cloudwatch_logs: { status: "ENABLED", group_name: ref(stack.build.logGroup.name) },
      },
    });
  });

  it("hands the buildspec every value it needs to build, push and render the deployment artifacts", () => {
    const { tf, stack, ref } = synth();
    const vars = Object.fromEntries(
      onlyResource(tf, CodebuildProject.tfResourceType).environment.environment_variable.map(
        (v: { name: string; value: string }) => [v.name, v.value],
      ),
    );
    expect(Object.keys(vars).sort()).toEqual([...BUILD_ENVIRONMENT_VARIABLES].sort());
    const service = stack.service;
    expect(vars).toEqual({
      REPOSITORY_URI: ref(stack.repository.repository.repositoryUrl),
      TASK_FAMILY: ref(service.taskDefinition.family),
      TASK_DEFINITION_ARN: ref(service.taskDefinition.arnWithoutRevision),
      EXECUTION_ROLE_ARN: ref(service.executionRole.role.arn),
      TASK_ROLE_ARN: ref(service.taskRole.role.arn),
      CONTAINER_NAME: "web",
      CONTAINER_PORT: "80",
      CONTAINER_ENVIRONMENT: "[]",
      TASK_CPU: "256",
      TASK_MEMORY: "512",
      LOG_GROUP_NAME: ref(service.logGroup.name),
      SUBNET_IDS: `\${join(",", [${stack.network.privateSubnets.map((s) => String(ref(s.id)).slice(2, -1)).join(", ")}])}`,
      SECURITY_GROUP_IDS: ref(service.securityGroup.id),
      ASSIGN_PUBLIC_IP: "DISABLED",
    });
  });
});
