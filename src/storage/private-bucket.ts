import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";

/**
 * What every bucket the stack creates shares, under `scope` (ids `bucket`, `versioning`, `public-access`,
 * `ownership`): versioned, all public access blocked, owner-enforced (no ACLs). Its encryption, lifecycle
 * and policy are its owner's. The public access block is returned: a bucket policy must wait for it.
 */
export function privateBucket(scope: Construct, props: { readonly bucketPrefix: string; readonly forceDestroy: boolean }): { bucket: S3Bucket; publicAccess: S3BucketPublicAccessBlock } {
  const bucket = new S3Bucket(scope, "bucket", { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy });
  new S3BucketVersioningA(scope, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  const publicAccess = new S3BucketPublicAccessBlock(scope, "public-access", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  return { bucket, publicAccess };
}
