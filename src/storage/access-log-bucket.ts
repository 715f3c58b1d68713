import { dependable, Fn } from "cdktf";
import { Construct } from "constructs";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { PolicyStatement } from "../security/iam";
import { ACCESS_LOG_DEFAULTS } from "./access-log-config";
import { privateBucket } from "./private-bucket";

/**
 * Regions whose load balancers deliver access logs as a regional Elastic Load Balancing account (the
 * regions opened before August 2022, as the ALB User Guide's "Enable access logs" lists them and the
 * provider's `aws_elb_service_account` knows them). Every other region delivers as the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal, which the policy admits everywhere.
 */
const REGIONS_WITH_ELB_ACCOUNT = new Set([
  "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
  "ap-southeast-3", "ca-central-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2",
  "eu-west-3", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
]); // prettier-ignore

export interface AccessLogBucketProps {
  /** Bucket name prefix (Terraform appends a unique suffix; at most 37 characters). */
  readonly bucketPrefix: string;
  readonly region: string;
  /** @default ACCESS_LOG_DEFAULTS.expireAfterDays */
  readonly expireAfterDays?: number;
  /** @default ACCESS_LOG_DEFAULTS.forceDestroy */
  readonly forceDestroy?: boolean;
}

/**
 * The stack's log bucket: load balancers' access logs under `alb/<label>/`, S3 server access logs of the
 * stack's buckets under `s3/<label>/`. Private, versioned, SSE-S3 (the only encryption ALB log delivery
 * supports), expired after a set time; its policy admits each delivery to its own prefix only.
 */
export class AccessLogBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;
  private readonly document: DataAwsIamPolicyDocument;
  private readonly region: string;
  private readonly bucketGrants: PolicyStatement[] = [];
  private readonly loadBalancerPrefixes: string[] = [];
  private elbAccount?: DataAwsElbServiceAccount;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    this.region = props.region;
    // No ACLs (owner-enforced): both deliveries are admitted by the bucket policy, and the bucket owns every log object.
    const { bucket, publicAccess } = privateBucket(this, { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy ?? ACCESS_LOG_DEFAULTS.forceDestroy });
    this.bucket = bucket;
    // ALB User Guide, "Enable access logs": the bucket must use Amazon S3-managed keys (SSE-S3).
    new S3BucketServerSideEncryptionConfigurationA(this, "sse", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const days = props.expireAfterDays ?? ACCESS_LOG_DEFAULTS.expireAfterDays;
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-logs",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    // Statements are added as deliveries are recorded; the document is re-put each time, so the order of
    // the calls does not matter. (No TLS-only deny here: neither delivery's documentation says it writes
    // over TLS, and a deny it fails would drop the logs silently.)
    this.document = new DataAwsIamPolicyDocument(this, "policy-doc", { statement: [] });
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: this.document.json,
      // S3 rejects a bucket policy while the public access block is still being applied.
      dependsOn: [publicAccess],
    });
  }

  /**
   * Turns on the load balancer's access logs into `alb/<label>/`. `accountArn`: any ARN in the load
   * balancer's account (its security group's): the delivery writes under `AWSLogs/<account>/`.
   */
  recordLoadBalancer(loadBalancer: Lb, label: string, accountArn: string): void {
    const prefix = `alb/${label}`;
    const account = Fn.element(Fn.split(":", accountArn), 4);
    this.loadBalancerPrefixes.push(`${this.bucket.arn}/${prefix}/AWSLogs/${account}/*`);
    if (!this.elbAccount && REGIONS_WITH_ELB_ACCOUNT.has(this.region)) this.elbAccount = new DataAwsElbServiceAccount(this, "elb-account", {});
    loadBalancer.putAccessLogs({ bucket: this.bucket.id, prefix, enabled: true });
    // Elastic Load Balancing writes a test object when access logs are turned on: the policy comes first.
    loadBalancer.dependsOn = [...(loadBalancer.dependsOn ?? []), dependable(this.policy)];
    this.putPolicy();
  }

  /** Turns on S3 server access logging of `source` into `s3/<label>/`. */
  recordBucket(source: S3Bucket, label: string): S3BucketLoggingA {
    const targetPrefix = `s3/${label}/`;
    // S3 User Guide, "Permissions for log delivery": the logging service principal, PutObject on the
    // target prefix, and the source bucket as aws:SourceArn.
    this.bucketGrants.push({
      sid: `ServerAccessLogs${label.replace(/[^A-Za-z0-9]/g, "")}`,
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
      actions: ["s3:PutObject"],
      resources: [`${this.bucket.arn}/${targetPrefix}*`],
      condition: [{ test: "ArnLike", variable: "aws:SourceArn", values: [source.arn] }],
    });
    this.putPolicy();
    return new S3BucketLoggingA(this, `${label}-logging`, {
      bucket: source.id,
      targetBucket: this.bucket.id,
      targetPrefix,
      // S3 checks the target bucket's permissions when logging is turned on.
      dependsOn: [this.policy],
    });
  }

  private putPolicy(): void {
    const statements: PolicyStatement[] = [...this.bucketGrants];
    if (this.loadBalancerPrefixes.length) {
      const write = { actions: ["s3:PutObject"], resources: [...this.loadBalancerPrefixes] };
      statements.push({ sid: "LoadBalancerAccessLogs", principals: [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }], ...write });
      if (this.elbAccount) statements.push({ sid: "LoadBalancerAccessLogsRegionalAccount", principals: [{ type: "AWS", identifiers: [this.elbAccount.arn] }], ...write });
    }
    this.document.putStatement(statements);
  }
}
