import { describe, expect, it } from "vitest";
import { Testing } from "cdktf";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ApplicationSecrets } from "../src/service/application-secrets";
import { TaskPermissions } from "../src/service/task-permissions";
import { ServiceRole } from "../src/security/iam";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { monthlyCost } from "../src/summary/monthly-cost";
import { config, configErrorFor as errorFor, onlyResource, roleStatements, synth, Synthesized } from "./helpers";
import { decide, roleNamed, stackRoles } from "./iam-simulation";
import { IamPolicy, TEST_ACCOUNT, TerraformValues } from "./terraform-values";

/** What `service.secrets`, `taskRole`, `cpuArchitecture`, `enableExecuteCommand` and `healthCheck` build (issue 19). */

const TOKEN_ARN = `arn:aws:secretsmanager:eu-central-1:${TEST_ACCOUNT}:secret:shop/api-token-AbCdEf`;
const SECRETS_KEY = `arn:aws:kms:eu-central-1:${TEST_ACCOUNT}:key/0b7c8e3a-1111-2222-3333-444455556666`;
/** A key's default policy: it lets the account's IAM policies decide (what a key made for secrets usually has). */
const KEY_POLICY_DELEGATING_TO_IAM: IamPolicy = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${TEST_ACCOUNT}:root`] }, Action: ["kms:*"], Resource: ["*"] }],
};
const APP = {
  service: {
    secrets: {
      API_TOKEN: { secretsManager: TOKEN_ARN, jsonKey: "token", kmsKeyArn: SECRETS_KEY },
      SIGNING_KEY: { secretsManager: "shop/signing-key" },
      FEATURE_FLAGS: { ssmParameter: "/shop/feature-flags" },
    },
    taskRole: {
      statements: [
        { sid: "ReadUploads", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::shop-uploads/*"] },
        { actions: ["sqs:SendMessage"], resources: [`arn:aws:sqs:eu-central-1:${TEST_ACCOUNT}:shop-orders`], conditions: { Bool: { "aws:SecureTransport": "true" } } },
        { actions: ["xray:PutTraceSegments"], resources: ["*"] },
      ],
      managedPolicyArns: ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"],
    },
    cpuArchitecture: "ARM64",
    enableExecuteCommand: true,
    healthCheck: { command: ["CMD", "node", "healthcheck.mjs"], intervalSeconds: 15, timeoutSeconds: 3, retries: 2, startPeriodSeconds: 10 },
  },
};

function containerOf(s: Synthesized) {
  const task = onlyResource(s.tf, EcsTaskDefinition.tfResourceType);
  return { task, container: JSON.parse(new TerraformValues(s.tf).evaluate(task.container_definitions))[0] };
}

describe("service.secrets", () => {
  it("reach the container as ECS secrets: an ARN with its JSON key, a name looked up, a parameter by name", () => {
    const s = synth(APP);
    const { container } = containerOf(s);
    expect(container.secrets).toEqual([
      { name: "API_TOKEN", valueFrom: `${TOKEN_ARN}:token::` },
      { name: "SIGNING_KEY", valueFrom: `arn:aws:secretsmanager:eu-central-1:${TEST_ACCOUNT}:secret:shop/signing-key-AbCdEf` },
      { name: "FEATURE_FLAGS", valueFrom: "/shop/feature-flags" },
    ]);
    expect(s.json).toHaveDataSourceWithProperties(DataAwsSecretsmanagerSecret, { name: "shop/signing-key" });
    expect(container.environment).toBeUndefined();
  });

  it("the execution role reads exactly those, and decrypts with the given key only through Secrets Manager (IAM simulator)", async () => {
    const s = synth(APP);
    const role = roleNamed(stackRoles(s), "bluegreen-demo-production-ecs-execution");
    const parameter = `arn:aws:ssm:eu-central-1:${TEST_ACCOUNT}:parameter/shop/feature-flags`;
    const allowed = [
      { action: "secretsmanager:GetSecretValue", resource: TOKEN_ARN },
      { action: "secretsmanager:GetSecretValue", resource: `arn:aws:secretsmanager:eu-central-1:${TEST_ACCOUNT}:secret:shop/signing-key-AbCdEf` },
      { action: "ssm:GetParameters", resource: parameter },
      { action: "kms:Decrypt", resource: SECRETS_KEY, context: { "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com" }, resourcePolicy: KEY_POLICY_DELEGATING_TO_IAM },
    ];
    for (const call of allowed) expect(await decide(role, call), `${call.action} on ${call.resource}`).toBe("Allowed");
    const denied = [
      { action: "secretsmanager:GetSecretValue", resource: `arn:aws:secretsmanager:eu-central-1:${TEST_ACCOUNT}:secret:shop/other-AbCdEf` },
      { action: "ssm:GetParameters", resource: `arn:aws:ssm:eu-central-1:${TEST_ACCOUNT}:parameter/shop/other` },
      { action: "ssm:GetParameter", resource: parameter },
      { action: "kms:Decrypt", resource: SECRETS_KEY, context: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" }, resourcePolicy: KEY_POLICY_DELEGATING_TO_IAM },
      { action: "kms:Decrypt", resource: SECRETS_KEY, resourcePolicy: KEY_POLICY_DELEGATING_TO_IAM },
      { action: "secretsmanager:PutSecretValue", resource: TOKEN_ARN },
    ];
    for (const call of denied) expect(await decide(role, call), `${call.action} on ${call.resource}`).toBe("ImplicitlyDenied");
  });

  it("in sandbox mode, which makes no AWS call, a secret given by name is not looked up", () => {
    const s = synth({ ...APP, sandbox: true });
    expect(Object.keys(s.tf.data.aws_secretsmanager_secret ?? {})).toEqual([]);
    expect(containerOf(s).container.secrets[1]).toEqual({ name: "SIGNING_KEY", valueFrom: `arn:aws:secretsmanager:eu-central-1:${TEST_ACCOUNT}:secret:shop/signing-key` });
  });

  it("are overridden per environment, and no value of them appears in the JSON", () => {
    const s = synth({ ...APP, environments: [{ name: "staging", service: { secrets: { API_TOKEN: { ssmParameter: "/shop/staging/token" } } } }, { name: "production" }] });
    const [staging, production] = s.stack.environments.map((env) => env.service.secrets.map((x) => x.name));
    expect(staging).toEqual(["API_TOKEN"]);
    expect(production).toEqual(["API_TOKEN", "SIGNING_KEY", "FEATURE_FLAGS"]);
    // Nothing that reads a value: no secret version or parameter data source, so the state holds none.
    expect(Object.keys(s.tf.data).filter((type) => /secret_version|ssm_parameter$/.test(type))).toEqual([]);
  });

  it("refuse a value written where a reference belongs, without showing it", () => {
    const message = errorFor({ service: { secrets: { API_TOKEN: "sk_live_51Hdontshowme" } } });
    expect(message).toMatch(/^Invalid config: service\.secrets\.API_TOKEN: must be a reference, \{ "secretsManager"/);
    expect(message).not.toMatch(/dontshowme/);
    expect(errorFor({ service: { secrets: { API_TOKEN: { vault: "x" } } } })).toMatch(/service\.secrets\.API_TOKEN: must be \{ "secretsManager"/);
    const inside = errorFor({ service: { secrets: { API_TOKEN: { secretsManager: "sk live 51Hdontshowme" } } } });
    expect(inside).toMatch(/service\.secrets\.API_TOKEN\.secretsManager: must be the secret's full ARN/);
    expect(inside).not.toMatch(/dontshowme/);
    expect(errorFor({ service: { secrets: { X: { ssmParameter: "arn:aws:s3:::bucket" } } } })).toMatch(/service\.secrets\.X\.ssmParameter: must be the parameter's name/);
    expect(errorFor({ service: { secrets: { X: { ssmParameter: "/a", jsonKey: "k" } } } })).toMatch(/service\.secrets\.X\.jsonKey: is not a known setting of a parameter reference/);
  });

  it("refuse a variable given both as a plain value and as a secret", () => {
    expect(errorFor({ service: { environment: { API_TOKEN: "x" }, secrets: { API_TOKEN: { ssmParameter: "/a" } } } })).toMatch(
      /service\.secrets\.API_TOKEN: is also in service\.environment/,
    );
  });
});

describe("service.taskRole", () => {
  it("gives the task role the statements and managed policies, and ECS Exec its channels", () => {
    const s = synth(APP);
    const statements = roleStatements(s.tf, s.ref(s.stack.environments[0].service.taskRole.role.id) as string);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sid: "ReadUploads", effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::shop-uploads/*"] }),
        expect.objectContaining({ actions: ["sqs:SendMessage"], condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["true"] }] }),
        expect.objectContaining({ sid: "EcsExecChannels", resources: ["*"] }),
      ]),
    );
    expect(s.json).toHaveResourceWithProperties(IamRolePolicyAttachment, { policy_arn: "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess" });
  });

  it("the application may do what it was given and nothing else (IAM simulator)", async () => {
    const role = roleNamed(stackRoles(synth(APP)), "bluegreen-demo-production-ecs-task");
    expect(await decide(role, { action: "s3:GetObject", resource: "arn:aws:s3:::shop-uploads/a.png" })).toBe("Allowed");
    expect(await decide(role, { action: "s3:GetObject", resource: "arn:aws:s3:::other-bucket/a.png" })).toBe("ImplicitlyDenied");
    expect(await decide(role, { action: "s3:PutObject", resource: "arn:aws:s3:::shop-uploads/a.png" })).toBe("ImplicitlyDenied");
    const queue = `arn:aws:sqs:eu-central-1:${TEST_ACCOUNT}:shop-orders`;
    expect(await decide(role, { action: "sqs:SendMessage", resource: queue, context: { "aws:SecureTransport": "true" } })).toBe("Allowed");
    expect(await decide(role, { action: "sqs:SendMessage", resource: queue, context: { "aws:SecureTransport": "false" } })).toBe("ImplicitlyDenied");
    expect(await decide(role, { action: "ssmmessages:OpenDataChannel", resource: "*" })).toBe("Allowed");
  });

  it("has no ECS Exec channels without enableExecuteCommand", () => {
    const s = synth({ service: { taskRole: APP.service.taskRole } });
    const actions = roleStatements(s.tf, s.ref(s.stack.environments[0].service.taskRole.role.id) as string).flatMap((st) => st.actions);
    expect(actions).toEqual(["s3:GetObject", "sqs:SendMessage", "xray:PutTraceSegments"]);
  });

  it("refuses what AWS's authorization reference does not know, and wildcards without a reason", () => {
    const statement = (st: Record<string, unknown>) => ({ service: { taskRole: { statements: [{ resources: ["arn:aws:s3:::b/*"], ...st }] } } });
    expect(errorFor(statement({ actions: ["s3:GetObjekt"] }))).toMatch(/statements\.0\.actions\.0: "s3:GetObjekt" is no action in AWS's authorization reference/);
    expect(errorFor(statement({ actions: ["s4:GetObject"] }))).toMatch(/"s4:GetObject" is not service:Action of a service/);
    expect(errorFor(statement({ actions: ["s3:Get*"] }))).toMatch(/"s3:Get\*" is a wildcard action \(\d+ actions\): list the actions/);
    expect(errorFor(statement({ actions: ["s3:GetObject"], resources: ["*"] }))).toMatch(/"s3:GetObject" on Resource "\*": AWS scopes it to .*\bobject; name those ARNs/);
    expect(errorFor(statement({ actions: ["s3:Get*"], allowWildcard: true }))).toMatch(/statements\.0\.reason: is required with allowWildcard/);
    expect(() => config(statement({ actions: ["s3:Get*"], resources: ["*"], allowWildcard: true, reason: "reads any object of any bucket the user names at run time" }))).not.toThrow();
    expect(() => config(statement({ actions: ["s3:*"], effect: "Deny", resources: ["*"] }))).not.toThrow();
    expect(errorFor({ service: { taskRole: { managedPolicyArns: ["AmazonS3ReadOnlyAccess"] } } })).toMatch(
      /service\.taskRole\.managedPolicyArns\.0: must be an IAM policy ARN/,
    );
  });
});

describe("service.cpuArchitecture", () => {
  it("ARM64: the task's runtime platform, an ARM build image and environment, and Graviton prices", () => {
    const s = synth(APP);
    expect(s.json).toHaveResourceWithProperties(EcsTaskDefinition, { runtime_platform: { cpu_architecture: "ARM64", operating_system_family: "LINUX" } });
    const project = onlyResource(s.tf, CodebuildProject.tfResourceType);
    expect(project.environment).toMatchObject({ type: "ARM_CONTAINER", image: "aws/codebuild/amazonlinux-aarch64-standard:3.0" });
    const arm = monthlyCost(config(APP)).rows.find((r) => r.item.includes("Fargate"))!;
    const x86 = monthlyCost(config()).rows.find((r) => r.item.includes("Fargate"))!;
    expect(arm.item).toMatch(/ARM64/);
    expect(arm.monthly / x86.monthly).toBeCloseTo(0.8, 2);
  });

  it("X86_64 (default): no runtime platform (Fargate's default), the x86 build image", () => {
    const s = synth();
    expect(onlyResource(s.tf, EcsTaskDefinition.tfResourceType).runtime_platform).toBeUndefined();
    expect(onlyResource(s.tf, CodebuildProject.tfResourceType).environment).toMatchObject({ type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0" });
  });

  it("refuses a build image of the other architecture, and an unknown architecture", () => {
    expect(errorFor({ service: { cpuArchitecture: "ARM64" }, build: { image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0" } })).toMatch(
      /^Invalid config: build\.image: is an x86_64 image, but service\.cpuArchitecture is ARM64: .* use aws\/codebuild\/amazonlinux-aarch64-standard:3\.0/,
    );
    expect(errorFor({ build: { image: "aws/codebuild/amazonlinux-aarch64-standard:3.0" } })).toMatch(/build\.image: is an ARM \(aarch64\) image, but service\.cpuArchitecture is X86_64/);
    expect(errorFor({ service: { cpuArchitecture: "arm" } })).toMatch(/service\.cpuArchitecture: must be one of "X86_64", "ARM64"/);
  });
});

describe("service.enableExecuteCommand and service.healthCheck", () => {
  it("turn on ECS Exec on the service and give the container its health check", () => {
    const s = synth(APP);
    expect(s.json).toHaveResourceWithProperties(EcsService, { enable_execute_command: true });
    expect(containerOf(s).container.healthCheck).toEqual({ command: ["CMD", "node", "healthcheck.mjs"], interval: 15, timeout: 3, retries: 2, startPeriod: 10 });
  });

  it("are off by default: the service and container as before these settings", () => {
    const s = synth();
    expect(onlyResource(s.tf, EcsService.tfResourceType).enable_execute_command).toBeUndefined();
    expect(containerOf(s).container.healthCheck).toBeUndefined();
  });

  it("refuse a health check ECS would not take", () => {
    expect(errorFor({ service: { healthCheck: { command: ["node", "x.mjs"] } } })).toMatch(/service\.healthCheck\.command: must start with "CMD" or "CMD-SHELL"/);
    expect(errorFor({ service: { healthCheck: { command: ["CMD", "true"], intervalSeconds: 5, timeoutSeconds: 5 } } })).toMatch(/timeoutSeconds: must be shorter than intervalSeconds/);
    expect(errorFor({ service: { healthCheck: { command: ["CMD", "true"], retries: 11 } } })).toMatch(/service\.healthCheck\.retries: must be at most 10/);
  });
});

describe("ApplicationSecrets and TaskPermissions on their own (Testing.synthScope)", () => {
  it("grant exactly what they are given, to the role they are given, and nothing without settings", () => {
    const json = Testing.synthScope((scope) => {
      const execution = new ServiceRole(scope, "execution", { name: "solo-execution", servicePrincipal: "ecs-tasks.amazonaws.com", description: "x" });
      const task = new ServiceRole(scope, "task", { name: "solo-task", servicePrincipal: "ecs-tasks.amazonaws.com", description: "x" });
      new ApplicationSecrets(scope, "secrets", { region: "eu-west-1", secrets: { TOKEN: { secretsManager: "solo/token" } }, executionRole: execution });
      new TaskPermissions(scope, "permissions", { taskRole: task, settings: { statements: [{ effect: "Allow", actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:123456789012:q"] }], managedPolicyArns: [] } });
      new TaskPermissions(scope, "nothing", { taskRole: task });
    });
    expect(json).toHaveDataSourceWithProperties(DataAwsSecretsmanagerSecret, { name: "solo/token" });
    const tf = JSON.parse(json);
    const statements = Object.values(tf.data.aws_iam_policy_document as Record<string, { statement: any[] }>).flatMap((d) => d.statement);
    const read = statements.find((st) => st.sid === "ReadApplicationSecrets");
    expect(read.actions).toEqual(["secretsmanager:GetSecretValue"]);
    expect(read.resources).toEqual([expect.stringMatching(/^\$\{data\.aws_secretsmanager_secret\.[\w-]+\.arn\}$/)]);
    expect(json).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [{ effect: "Allow", actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:123456789012:q"] }],
    });
    // Two inline policies (the secrets, the application's statements); the construct without settings adds none.
    expect(Object.values(tf.resource.aws_iam_role_policy).map((p: any) => p.name).sort()).toEqual(["application", "application-secrets"]);
  });
});
