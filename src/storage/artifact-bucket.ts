import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { EncryptionKey } from "../security/encryption-key";
import { ServiceRole } from "../security/iam";
import { ARTIFACT_BUCKET_DEFAULTS } from "./artifact-bucket-config";
import { privateBucket } from "./private-bucket";

export interface ArtifactBucketProps {
  /** Bucket name prefix (Terraform appends a unique suffix; at most 37 characters). */
  readonly bucketPrefix: string;
  /** Delete all objects on destroy. @default ARTIFACT_BUCKET_DEFAULTS.forceDestroy */
  readonly forceDestroy?: boolean;
  /** Days noncurrent object versions are kept. @default ARTIFACT_BUCKET_DEFAULTS.noncurrentVersionExpirationDays */
  readonly noncurrentVersionExpirationDays?: number;
  /** Customer-managed key to encrypt with. @default the service's AWS-managed key */
  readonly encryptionKey?: EncryptionKey;
}

/** Private, versioned, encrypted S3 bucket for pipeline artifacts, reachable over TLS only. */
export class ArtifactBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly encryptionKey?: EncryptionKey;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const { bucket, publicAccess } = privateBucket(this, {
      bucketPrefix: props.bucketPrefix,
      forceDestroy: props.forceDestroy ?? ARTIFACT_BUCKET_DEFAULTS.forceDestroy,
    });
    this.bucket = bucket;
    new S3BucketServerSideEncryptionConfigurationA(this, "sse", {
      bucket: this.bucket.id,
      rule: [
        props.encryptionKey
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.encryptionKey.keyArn },
              // One data key per bucket rather than per object: far fewer KMS calls.
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-artifact-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? ARTIFACT_BUCKET_DEFAULTS.noncurrentVersionExpirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["s3:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: tlsOnly.json,
      // S3 rejects a bucket policy while the public access block is still being applied.
      dependsOn: [publicAccess],
    });
  }

  /** Lets the role read artifacts. */
  grantRead(role: ServiceRole, policyName = "artifacts-read"): void {
    this.encryptionKey?.grantUse(role, `${policyName}-kms`);
    role.addPolicy(policyName, [
      {
        sid: "ReadArtifacts",
        actions: ["s3:GetObject", "s3:GetObjectVersion"],
        resources: [`${this.bucket.arn}/*`],
      },
      { sid: "LocateBucket", actions: ["s3:GetBucketLocation", "s3:ListBucket"], resources: [this.bucket.arn] },
    ]);
  }

  /** Lets the role read and write artifacts. */
  grantReadWrite(role: ServiceRole): void {
    this.encryptionKey?.grantUse(role, "artifacts-kms");
    role.addPolicy("artifacts-read-write", [
      {
        sid: "ReadWriteArtifacts",
        actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        resources: [`${this.bucket.arn}/*`],
      },
      {
        sid: "LocateBucket",
        actions: ["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket"],
        resources: [this.bucket.arn],
      },
    ]);
  }
}
