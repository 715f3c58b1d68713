import { CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { ServiceRole } from "../iam";

/**
 * Where the pipeline's code comes from. Each source kind is a small construct implementing this, so the
 * pipeline neither knows nor cares which kind the config picked.
 */
export interface PipelineSource {
  /** The Source stage's single action, writing the code to `outputArtifact`. */
  sourceAction(outputArtifact: string): CodepipelineStageAction;
  /** Grants the pipeline's role what running that action needs. */
  grantPipeline(role: ServiceRole): void;
  /** Stack outputs a user needs to finish setting the source up, by output name. */
  readonly outputs: Record<string, SourceOutput>;
}

export interface SourceOutput {
  readonly value: string;
  readonly description: string;
}
