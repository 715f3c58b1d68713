import { Construct } from "constructs";
import { CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { ArtifactBucket } from "../../storage/artifact-bucket";
import { s3ArnInPartitionOf, ServiceRole } from "../../security/iam";
import { physicalName } from "../../core/naming";
import { PipelineSourceBase, sourceStageAction, SourceContext, SourceOutput } from "./pipeline-source";
import { SOURCE_DEFAULTS } from "./source-config";

export interface S3SourceProps {
  readonly context: SourceContext;
  /** An existing versioned bucket; when absent one is created (versioned, encrypted, TLS only). */
  readonly bucketName?: string;
  /** @default SOURCE_DEFAULTS.objectKey */
  readonly objectKey?: string;
}

/** Source from a zip in a versioned S3 bucket: every new version of the object starts the pipeline. */
export class S3Source extends PipelineSourceBase {
  readonly bucketName: string;
  /** The bucket this stack created; undefined for an existing one. */
  readonly bucket?: ArtifactBucket;
  private readonly objectKey: string;
  private readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: S3SourceProps) {
    super(scope, id);
    this.objectKey = props.objectKey ?? SOURCE_DEFAULTS.objectKey;
    if (props.bucketName) {
      this.bucketName = props.bucketName;
      this.bucketArn = s3ArnInPartitionOf(props.context.accountArn, props.bucketName);
    } else {
      this.bucket = new ArtifactBucket(this, "bucket", {
        bucketPrefix: physicalName("bucketPrefix", props.context.appName, "source-"),
      });
      this.bucketName = this.bucket.bucket.bucket;
      this.bucketArn = this.bucket.bucket.arn;
    }
  }

  sourceAction(outputArtifact: string): CodepipelineStageAction {
    return sourceStageAction("AWS", "S3", outputArtifact, {
      S3Bucket: this.bucketName,
      S3ObjectKey: this.objectKey,
      // Without CloudTrail data events there is no push event for a plain object write: poll.
      PollForSourceChanges: "true",
    });
  }

  grantPipeline(role: ServiceRole): void {
    role.addPolicy("source-s3", [
      { sid: "ReadSourceObject", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [`${this.bucketArn}/${this.objectKey}`] },
      { sid: "CheckSourceBucket", actions: ["s3:GetBucketVersioning", "s3:ListBucket"], resources: [this.bucketArn] },
    ]);
  }

  get outputs(): Record<string, SourceOutput> {
    return {
      source_bucket: { value: this.bucketName, description: "Upload the zipped application repository here" },
      source_object_key: { value: this.objectKey, description: "…under this key; each new version starts the pipeline" },
    };
  }
}
