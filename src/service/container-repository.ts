import { Construct } from "constructs";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EncryptionKey } from "../security/encryption-key";
import { ServiceRole } from "../security/iam";
import { CONTAINER_REPOSITORY_DEFAULTS } from "./container-repository-config";
import { stackOutput } from "../core/stack-output";

export interface ContainerRepositoryProps {
  /** Repository name. */
  readonly name: string;
  /** @default CONTAINER_REPOSITORY_DEFAULTS.scanOnPush */
  readonly scanOnPush?: boolean;
  /** @default CONTAINER_REPOSITORY_DEFAULTS.imageTagMutability */
  readonly imageTagMutability?: "MUTABLE" | "IMMUTABLE";
  /** Tagged images kept before the oldest expire. @default CONTAINER_REPOSITORY_DEFAULTS.maxImageCount */
  readonly maxImageCount?: number;
  /** Days an untagged image is kept. @default CONTAINER_REPOSITORY_DEFAULTS.untaggedExpiryDays */
  readonly untaggedExpiryDays?: number;
  /** Delete the repository on destroy even when it holds images. @default CONTAINER_REPOSITORY_DEFAULTS.forceDelete */
  readonly forceDelete?: boolean;
  /** Customer-managed key to encrypt with. @default the service's AWS-managed key */
  readonly encryptionKey?: EncryptionKey;
}

/** ECR repository for the application image, scanned on push, with old images expiring. */
export class ContainerRepository extends Construct {
  readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    this.repository = new EcrRepository(this, "repo", {
      name: props.name,
      imageTagMutability: props.imageTagMutability ?? CONTAINER_REPOSITORY_DEFAULTS.imageTagMutability,
      imageScanningConfiguration: { scanOnPush: props.scanOnPush ?? CONTAINER_REPOSITORY_DEFAULTS.scanOnPush },
      forceDelete: props.forceDelete ?? CONTAINER_REPOSITORY_DEFAULTS.forceDelete,
      ...(props.encryptionKey ? { encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.encryptionKey.keyArn }] } : {}),
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify(lifecyclePolicy(props.untaggedExpiryDays ?? CONTAINER_REPOSITORY_DEFAULTS.untaggedExpiryDays, props.maxImageCount ?? CONTAINER_REPOSITORY_DEFAULTS.maxImageCount)),
    });
    stackOutput(this, "ecr_repository_url", this.repository.repositoryUrl, "Push images here (the pipeline does)");
  }

  /** Lets the role pull images (the ECS execution role). */
  grantPull(role: ServiceRole): void {
    role.addPolicy("ecr-pull", [
      authorizationTokenStatement(),
      {
        sid: "PullImages",
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        resources: [this.repository.arn],
      },
    ]);
  }

  /** Lets the role push images, and pull layers for a build cache (the CodeBuild role). */
  grantPullPush(role: ServiceRole): void {
    role.addPolicy("ecr-push", [
      authorizationTokenStatement(),
      {
        sid: "PushImages",
        actions: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
          "ecr:PutImage",
        ],
        resources: [this.repository.arn],
      },
    ]);
  }
}

function authorizationTokenStatement() {
  return {
    sid: "EcrLogin",
    actions: ["ecr:GetAuthorizationToken"],
    // GetAuthorizationToken is account-wide: AWS supports no resource-level permission for it.
    resources: ["*"],
  };
}

/** Lifecycle rules as ECR expects them: the "any" rule must carry the highest priority number. */
export function lifecyclePolicy(untaggedExpiryDays: number, maxImageCount: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedExpiryDays} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedExpiryDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${maxImageCount} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: maxImageCount },
        action: { type: "expire" },
      },
    ],
  };
}
