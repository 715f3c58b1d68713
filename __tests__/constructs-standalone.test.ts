import { describe, expect, it } from "vitest";
import { TerraformStack, Testing } from "cdktf";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { BUILD_DEFAULTS } from "../src/delivery/delivery-config";
import { LOAD_BALANCER_DEFAULTS } from "../src/network/load-balancer-config";
import { BlueGreenLoadBalancer } from "../src/network/load-balancer";
import { RELEASE_ALARM_DEFAULTS, SMOKE_TEST_DEFAULTS } from "../src/release-safety/release-safety-config";
import { ReleaseNotifications } from "../src/release-safety/release-notifications";
import { EncryptionKey } from "../src/security/encryption-key";
import { ServiceRole } from "../src/security/iam";
import { ContainerRepository } from "../src/service/container-repository";
import { CONTAINER_REPOSITORY_DEFAULTS } from "../src/service/container-repository-config";
import { DATABASE_DEFAULTS } from "../src/service/database-config";
import { FargateService } from "../src/service/fargate-service";
import { SERVICE_DEFAULTS } from "../src/service/service-config";
import { ARTIFACT_BUCKET_DEFAULTS } from "../src/storage/artifact-bucket-config";
import { DEPLOYMENT_DEFAULTS } from "../src/traffic-control/deployment-config";
import { config, policyDocument, resourcesOf } from "./helpers";

function loadBalancer(scope: TerraformStack) {
  return new BlueGreenLoadBalancer(scope, "lb", {
    namePrefix: "solo",
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    targetPort: 8000,
    listenerFieldsOwnedByDeployments: ["default_action"],
  });
}

describe("constructs on their own (Testing.synthScope)", () => {
  it("a load balancer with only its required props takes LOAD_BALANCER_DEFAULTS", () => {
    const json = Testing.synthScope((scope) => void loadBalancer(scope as TerraformStack));
    const tf = JSON.parse(json);
    expect(json).toHaveResourceWithProperties(LbTargetGroup, {
      deregistration_delay: String(LOAD_BALANCER_DEFAULTS.deregistrationDelaySeconds),
      health_check: {
        path: LOAD_BALANCER_DEFAULTS.healthCheckPath,
        matcher: LOAD_BALANCER_DEFAULTS.healthCheckMatcher,
        interval: LOAD_BALANCER_DEFAULTS.healthCheckIntervalSeconds,
      },
    });
    const listeners = Object.values(resourcesOf(tf, LbListener.tfResourceType));
    expect(listeners.map((l) => l.port).sort()).toEqual([LOAD_BALANCER_DEFAULTS.productionPort, LOAD_BALANCER_DEFAULTS.testPort].sort());
    for (const listener of listeners) expect(listener.lifecycle.ignore_changes).toEqual(["default_action"]);
    const rules = Object.values(resourcesOf(tf, VpcSecurityGroupIngressRule.tfResourceType));
    expect(rules.map((r) => [r.from_port, r.cidr_ipv4])).toEqual([
      [LOAD_BALANCER_DEFAULTS.productionPort, LOAD_BALANCER_DEFAULTS.allowedCidrs[0]],
      [LOAD_BALANCER_DEFAULTS.testPort, LOAD_BALANCER_DEFAULTS.testAllowedCidrs[0]],
    ]);
  });

  it("a Fargate service takes its controller from the traffic control: another controller type passes straight through", () => {
    const json = Testing.synthScope((scope) => {
      const stack = scope as TerraformStack;
      new FargateService(stack, "ecs", {
        namePrefix: "solo",
        region: "eu-west-1",
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0123456789abcdef0"],
        loadBalancer: loadBalancer(stack),
        controller: { type: "ECS", ignoredFields: ["task_definition"] },
        repository: new ContainerRepository(stack, "ecr", { name: "solo" }),
        containerName: "app",
        containerPort: 8000,
        initialImage: "public.ecr.aws/docker/library/httpd:2.4",
        autoScaling: { minCapacity: 2, maxCapacity: 4, targetCpuPercent: 50 },
      });
    });
    expect(json).toHaveResourceWithProperties(EcsService, {
      deployment_controller: { type: "ECS" },
      desired_count: 2,
      lifecycle: { ignore_changes: ["task_definition", "desired_count"] },
    });
  });

  it("a container repository with only its name takes CONTAINER_REPOSITORY_DEFAULTS and declares its URL at the stack's top", () => {
    const tf = JSON.parse(Testing.synthScope((scope) => void new ContainerRepository(scope, "ecr", { name: "solo" })));
    const [repository] = Object.values(resourcesOf(tf, "aws_ecr_repository"));
    expect(repository).toMatchObject({
      image_tag_mutability: CONTAINER_REPOSITORY_DEFAULTS.imageTagMutability,
      image_scanning_configuration: { scan_on_push: CONTAINER_REPOSITORY_DEFAULTS.scanOnPush },
      force_delete: CONTAINER_REPOSITORY_DEFAULTS.forceDelete,
    });
    const [lifecycle] = Object.values(resourcesOf(tf, "aws_ecr_lifecycle_policy"));
    const rules = JSON.parse(lifecycle.policy).rules;
    expect(rules.map((r: { selection: { countNumber: number } }) => r.selection.countNumber)).toEqual([
      CONTAINER_REPOSITORY_DEFAULTS.untaggedExpiryDays,
      CONTAINER_REPOSITORY_DEFAULTS.maxImageCount,
    ]);
    expect(Object.keys(tf.output)).toEqual(["ecr_repository_url"]);
  });

  it("the release topic admits publishers that register after it exists, whenever they do", () => {
    const tf = JSON.parse(
      Testing.synthScope((scope) => {
        const notifications = new ReleaseNotifications(scope, "releases", { appName: "solo" });
        const late = new ServiceRole(scope, "late", { name: "late", servicePrincipal: "codedeploy.amazonaws.com", description: "registers after the topic" });
        notifications.grantPublish(late);
      }),
    );
    const [policy] = Object.values(resourcesOf(tf, SnsTopicPolicy.tfResourceType));
    const [statement] = policyDocument(tf, policy.policy).statement;
    expect(statement.sid).toBe("CodeDeployTriggers");
    expect(statement.principals[0].identifiers).toEqual([expect.stringMatching(/^\$\{aws_iam_role\.late_role_[0-9A-F]{8}\.arn\}$/)]);
  });

  it("the release topic has no policy while nobody registered to publish", () => {
    const json = Testing.synthScope((scope) => void new ReleaseNotifications(scope, "releases", { appName: "solo" }));
    expect(json).not.toHaveResource(SnsTopicPolicy);
  });

  it("the created key's policy names the account registered after the key, and refuses a stack that registered none", () => {
    const tf = JSON.parse(
      Testing.synthScope((scope) => {
        const key = new EncryptionKey(scope, "kms", { appName: "solo", region: "eu-west-1" });
        key.useAccountOf("arn:aws:iam::123456789012:role/first");
        key.useAccountOf("arn:aws:iam::210987654321:role/second");
        key.admitEventRule("arn:aws:events:eu-west-1:123456789012:rule/solo");
      }),
    );
    const [policy] = Object.values(resourcesOf(tf, KmsKeyPolicy.tfResourceType));
    const statements = policyDocument(tf, policy.policy).statement;
    expect(JSON.stringify(statements[0].principals)).toContain("arn:aws:iam::123456789012:role/first");
    expect(statements.map((s: { sid: string }) => s.sid)).toContain("EventBridgeForTheseRules");
    expect(() => Testing.synthScope((scope) => void new EncryptionKey(scope, "kms", { appName: "solo", region: "eu-west-1" }))).toThrow(/useAccountOf/);
  });

  it("every section's DEFAULTS constant is what the schema resolves a config to", () => {
    const resolved = config();
    expect(resolved.loadBalancer).toMatchObject(LOAD_BALANCER_DEFAULTS);
    expect(resolved.ecr).toEqual(CONTAINER_REPOSITORY_DEFAULTS);
    expect(resolved.artifacts).toEqual(ARTIFACT_BUCKET_DEFAULTS);
    expect(resolved.database).toEqual(DATABASE_DEFAULTS);
    expect(resolved.build).toMatchObject(BUILD_DEFAULTS);
    const { smokeTest, alarms, ...deployment } = config({ deployment: { smokeTest: undefined } }).deployment;
    expect(deployment).toMatchObject(DEPLOYMENT_DEFAULTS);
    expect(smokeTest).toEqual(SMOKE_TEST_DEFAULTS);
    expect(alarms).toEqual(RELEASE_ALARM_DEFAULTS);
    const raw = config({ service: {} }).service;
    expect(raw).toMatchObject({ cpu: SERVICE_DEFAULTS.cpu, memory: SERVICE_DEFAULTS.memory, desiredCount: SERVICE_DEFAULTS.desiredCount });
  });
});
