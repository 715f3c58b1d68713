import { describe, expect, it } from "vitest";
import { DefaultTokenResolver, StringConcat, TerraformStack, Testing, Tokenization } from "cdktf";
import { buildspecValues, EnvironmentContract, environmentContract, PER_ENVIRONMENT_VARIABLES, workflowVariables } from "../src/delivery/application-contract";
import { pipelineOf, synth } from "./helpers";

/** A contract as plain data: what an environment would hand the application repository. */
const CONTRACT: EnvironmentContract = {
  environment: "staging",
  taskDefinition: { family: "shop-staging", executionRoleArn: "arn:aws:iam::123456789012:role/exec", taskRoleArn: "arn:aws:iam::123456789012:role/task", cpu: 512, memory: 1024, logGroupName: "/ecs/shop-staging", cpuArchitecture: "ARM64" },
  container: { name: "web", port: 8080, environment: [{ name: "MODE", value: "staging" }], secrets: [{ name: "TOKEN", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token" }], healthCheck: { command: ["CMD", "node", "healthcheck.mjs"], interval: 10, timeout: 3, retries: 2 } },
  network: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1", "sg-2"], assignPublicIp: true },
  service: { cluster: "shop-staging", service: "shop-staging" },
  deployment: { application: "shop", deploymentGroup: "shop-staging-bluegreen", hooks: [{ event: "BeforeAllowTraffic", functionName: "check" }] },
};

const stack = new TerraformStack(Testing.app(), "contract");
const resolver = new DefaultTokenResolver(new StringConcat());
const resolved = (value: unknown) => Tokenization.resolve(value, { scope: stack, resolver, preparing: false });

describe("the application contract, rendered", () => {
  it("gives the buildspec every per-environment variable, in the order the templates list them", () => {
    const values = buildspecValues(CONTRACT);
    expect(Object.keys(values)).toEqual([...PER_ENVIRONMENT_VARIABLES]);
    expect(resolved(values)).toEqual({
      TASK_FAMILY: "shop-staging",
      EXECUTION_ROLE_ARN: "arn:aws:iam::123456789012:role/exec",
      TASK_ROLE_ARN: "arn:aws:iam::123456789012:role/task",
      TASK_CPU: "512",
      TASK_MEMORY: "1024",
      CPU_ARCHITECTURE: "ARM64",
      CONTAINER_ENVIRONMENT: '${jsonencode([{"name" = "MODE", "value" = "staging"}])}',
      CONTAINER_SECRETS: '${jsonencode([{"name" = "TOKEN", "valueFrom" = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token"}])}',
      CONTAINER_HEALTH_CHECK: '${jsonencode({"command" = ["CMD", "node", "healthcheck.mjs"], "interval" = 10, "timeout" = 3, "retries" = 2})}',
      LOG_GROUP_NAME: "/ecs/shop-staging",
      SUBNET_IDS: '${join(",", ["subnet-a", "subnet-b"])}',
      SECURITY_GROUP_IDS: "sg-1,sg-2",
      ASSIGN_PUBLIC_IP: "ENABLED",
      APPSPEC_HOOKS: 'Hooks: ${jsonencode([{"BeforeAllowTraffic" = "check"}])}',
    });
  });

  it("gives the workflow's deploy job the same task, network and hooks, and its environment's deploy role", () => {
    const job = workflowVariables(CONTRACT, { deployRoleArn: "deploy" });
    const build = buildspecValues(CONTRACT);
    for (const shared of ["TASK_FAMILY", "SUBNET_IDS", "SECURITY_GROUP_IDS", "ASSIGN_PUBLIC_IP", "APPSPEC_HOOKS"] as const) {
      expect(resolved(job[shared]), shared).toEqual(resolved(build[shared]));
    }
    expect(job).toMatchObject({ AWS_DEPLOY_ROLE_ARN: "deploy", CONTAINER_NAME: "web", CONTAINER_PORT: "8080", ECS_CLUSTER: "shop-staging", CODEDEPLOY_APPLICATION: "shop", CODEDEPLOY_DEPLOYMENT_GROUP: "shop-staging-bluegreen" });
    expect(job).not.toHaveProperty("DEPLOY_ENVIRONMENT");
  });

  it("renders no Hooks line for an environment without hooks", () => {
    expect(buildspecValues({ ...CONTRACT, deployment: { ...CONTRACT.deployment, hooks: [] } }).APPSPEC_HOOKS).toBe("");
  });

  it("is built from the environment's own service, network placement and deployment", () => {
    const s = synth();
    const env = s.stack.environments[0];
    const contract = environmentContract(env, s.stack.network);
    expect(s.ref(contract.taskDefinition.family)).toBe(s.ref(env.service.taskDefinition.family));
    expect(s.ref(contract.network.subnetIds)).toEqual(s.ref(s.stack.network.taskSubnetIds));
    expect(contract.network.securityGroupIds.map(s.ref)).toEqual([s.ref(env.service.securityGroup.id)]);
    expect(s.ref(contract.deployment.deploymentGroup)).toBe(s.ref(env.deployment.deploymentGroup.deploymentGroupName));
    expect(contract.deployment.hooks.map((h) => h.event)).toEqual(["AfterAllowTestTraffic"]);
    // The build project's DEPLOY_ENVIRONMENTS is exactly this contract, rendered.
    expect(s.ref(pipelineOf(s.stack).build.environmentValues.production)).toEqual(s.ref(buildspecValues(contract)));
  });
});
