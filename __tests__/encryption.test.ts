import { describe, expect, it } from "vitest";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { onlyResource, pipelineOf, policyDocument, resourcesOf, roleStatements, synth } from "./helpers";

const withKey = () => synth({ encryption: { customerManagedKey: "create" }, database: { enabled: true } });

describe("encryption with one customer-managed key", () => {
  it("is off by default: no key, SSE-S3 on the bucket", () => {
    const { json } = synth();
    expect(json).not.toHaveResource(KmsKey);
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
  });

  it("creates one key with rotation and encrypts ECR, artifacts, pipeline store, build, logs and the database with it", () => {
    const s = withKey();
    const key = s.ref(s.stack.encryptionKey!.keyArn);
    expect(s.json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(s.json).toHaveResourceWithProperties(EcrRepository, { encryption_configuration: [{ encryption_type: "KMS", kms_key: key }] });
    expect(s.json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: key }, bucket_key_enabled: true }],
    });
    expect(onlyResource(s.tf, Codepipeline.tfResourceType).artifact_store[0].encryption_key).toEqual({ id: key, type: "KMS" });
    expect(onlyResource(s.tf, CodebuildProject.tfResourceType).encryption_key).toBe(key);
    for (const group of Object.values(resourcesOf(s.tf, CloudwatchLogGroup.tfResourceType))) expect(group.kms_key_id).toBe(key);
    expect(s.json).toHaveResourceWithProperties(DbInstance, { kms_key_id: key, master_user_secret_kms_key_id: key, storage_encrypted: true });
  });

  it("the key policy: the account administers, uses only via ECR/S3/RDS/Secrets Manager/SNS, Logs only for this app's groups, EventBridge only for the pipeline-outcome rule", () => {
    const s = withKey();
    const statements = policyDocument(s.tf, onlyResource(s.tf, KmsKeyPolicy.tfResourceType).policy).statement;
    const [admin, use, logs, events] = statements;
    expect(admin.actions).not.toContain("kms:Decrypt");
    expect(admin.actions).not.toContain("kms:*");
    expect(use.condition).toEqual([
      {
        test: "StringEquals",
        variable: "kms:ViaService",
        values: ["ecr", "s3", "rds", "secretsmanager", "sns"].map((svc) => `${svc}.eu-central-1.amazonaws.com`),
      },
    ]);
    expect(logs.principals).toEqual([{ type: "Service", identifiers: ["logs.eu-central-1.amazonaws.com"] }]);
    expect(logs.condition[0].variable).toBe("kms:EncryptionContext:aws:logs:arn");
    expect(JSON.stringify(logs.condition[0].values)).toContain("/ecs/bluegreen-demo-");
    expect(JSON.stringify(logs.condition[0].values)).toContain("/aws/lambda/bluegreen-demo-");
    expect(events).toMatchObject({
      principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [s.ref(s.stack.notifications.pipelineRules[0].arn)] }],
    });
    expect(statements).toHaveLength(4);
  });

  it("grants the key, and only it, to the roles that read or write encrypted data", () => {
    const s = withKey();
    const key = s.ref(s.stack.encryptionKey!.keyArn);
    const env = s.stack.environments[0];
    for (const role of [pipelineOf(s.stack).build.role, pipelineOf(s.stack).pipeline.role, env.deployment.role, env.service.executionRole]) {
      const grants = roleStatements(s.tf, s.ref(role.role.id) as string).filter((st) => st.actions.includes("kms:Decrypt"));
      expect([...new Set(grants.flatMap((st) => st.resources))], role.node.path).toEqual([key]);
    }
    expect(roleStatements(s.tf, s.ref(env.service.taskRole.role.id) as string)).toEqual([]);
  });

  it("uses an existing key by ARN without creating one or touching its policy", () => {
    const arn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const s = synth({ encryption: { customerManagedKey: "existing", kmsKeyArn: arn } });
    expect(s.json).not.toHaveResource(KmsKey);
    expect(s.json).not.toHaveResource(KmsKeyPolicy);
    expect(s.json).toHaveResourceWithProperties(EcrRepository, { encryption_configuration: [{ encryption_type: "KMS", kms_key: arn }] });
  });
});

describe("the approval topic with a customer-managed key", () => {
  const approvals = () =>
    synth({ encryption: { customerManagedKey: "create" }, environments: [{ name: "staging" }, { name: "production", approval: { notifyEmails: ["ops@example.com"] } }] });

  it("is encrypted with the key, like the release topic", () => {
    const s = approvals();
    const topic = s.ref(pipelineOf(s.stack).pipeline.approvalTopic!.topic.arn) as string;
    const [, name] = /^\$\{aws_sns_topic\.([^.]+)\.arn\}$/.exec(topic)!;
    expect(s.tf.resource.aws_sns_topic[name].kms_master_key_id).toBe(s.ref(s.stack.encryptionKey!.keyArn));
  });

  it("lets the pipeline's role, which publishes the requests, use the key through one grant only", () => {
    const s = approvals();
    const key = s.ref(s.stack.encryptionKey!.keyArn);
    const grants = roleStatements(s.tf, s.ref(pipelineOf(s.stack).pipeline.role.role.id) as string).filter((st) => st.actions.includes("kms:GenerateDataKey"));
    expect(grants.map((g) => g.resources)).toEqual([[key]]);
  });
});
