import { describe, expect, it } from "vitest";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { onlyResource, pipelineOf, policyDocument, synth } from "./helpers";

describe("ContainerRepository", () => {
  it("scans on push", () => {
    expect(synth().json).toHaveResourceWithProperties(EcrRepository, {
      name: "bluegreen-demo",
      image_scanning_configuration: { scan_on_push: true },
      force_delete: false,
    });
  });

  it("expires untagged images after N days and keeps the newest M images", () => {
    const { tf } = synth({ ecr: { maxImageCount: 12, untaggedExpiryDays: 3 } });
    const policy = JSON.parse(onlyResource(tf, EcrLifecyclePolicy.tfResourceType).policy);
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: expect.objectContaining({ tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 3 }),
        action: { type: "expire" },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: expect.objectContaining({ tagStatus: "any", countType: "imageCountMoreThan", countNumber: 12 }),
      }),
    ]);
  });
});

describe("ArtifactBucket", () => {
  it("is versioned, encrypted and blocks all public access", () => {
    const { json } = synth();
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("force_destroy follows the setting and defaults to false", () => {
    expect(synth().json).toHaveResourceWithProperties(S3Bucket, { force_destroy: false, bucket_prefix: "bluegreen-demo-artifacts-" });
    expect(synth({ artifacts: { forceDestroy: true } }).json).toHaveResourceWithProperties(S3Bucket, { force_destroy: true });
  });

  it("denies every request not made over TLS", () => {
    const { tf, stack, ref } = synth();
    const policy = onlyResource(tf, S3BucketPolicy.tfResourceType);
    const [statement] = policyDocument(tf, policy.policy).statement;
    const bucketArn = ref(pipelineOf(stack).artifacts.bucket.arn);
    expect(statement).toEqual({
      sid: "DenyInsecureTransport",
      effect: "Deny",
      actions: ["s3:*"],
      principals: [{ type: "*", identifiers: ["*"] }],
      resources: [bucketArn, `${bucketArn}/*`],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
  });

  it("keeps the bucket prefix within S3's 37 characters for long app names", () => {
    const { tf } = synth({ appName: "an-application-name-long-enough-to-need-truncation" });
    expect(onlyResource(tf, S3Bucket.tfResourceType).bucket_prefix.length).toBeLessThanOrEqual(37);
  });
});
