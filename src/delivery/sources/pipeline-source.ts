import { Construct } from "constructs";
import { Codepipeline, CodepipelineStageAction, CodepipelineTrigger } from "@cdktf/provider-aws/lib/codepipeline";
import { ServiceRole } from "../../security/iam";

/**
 * Where the pipeline's code comes from. Each source kind is a small construct implementing this, so the
 * pipeline neither knows nor cares which kind the config picked.
 */
export interface PipelineSource {
  /** The Source stage's single action, writing the code to `outputArtifact`. */
  sourceAction(outputArtifact: string): CodepipelineStageAction;
  /** Grants the pipeline's role what running that action needs. */
  grantPipeline(role: ServiceRole): void;
  /** Grants the build's role what reading the source needs (e.g. a full Git clone). */
  grantBuild(role: ServiceRole): void;
  /** Called once the pipeline exists, for sources that start it themselves (an EventBridge rule). */
  bindPipeline(pipeline: Codepipeline): void;
  /** Stack outputs a user needs to finish setting the source up, by output name. */
  readonly outputs: Record<string, SourceOutput>;
  /**
   * A V2 pipeline trigger that starts the pipeline only for pushes changing this folder (one of several
   * services in a shared repository); undefined for a kind that cannot filter by path.
   */
  folderTrigger?(folder: string): CodepipelineTrigger;
}

export interface SourceOutput {
  readonly value: string;
  readonly description: string;
}

/** What every source may need from the stack around it. */
export interface SourceContext {
  readonly appName: string;
  readonly region: string;
  /** An ARN in the stack's account and region, to derive others from without an account lookup. */
  readonly accountArn: string;
  /** Offline planning: no AWS call may be made, not even a data source read. */
  readonly sandbox: boolean;
}

/** The Source stage's action: every kind differs only in who provides it and its configuration. */
export function sourceStageAction(
  owner: "AWS" | "ThirdParty",
  provider: string,
  outputArtifact: string,
  configuration: Record<string, string>,
): CodepipelineStageAction {
  return { name: "Source", category: "Source", owner, provider, version: "1", outputArtifacts: [outputArtifact], configuration };
}

/** Defaults for the hooks most sources do not need. */
export abstract class PipelineSourceBase extends Construct implements PipelineSource {
  abstract sourceAction(outputArtifact: string): CodepipelineStageAction;
  abstract grantPipeline(role: ServiceRole): void;
  grantBuild(_role: ServiceRole): void {}
  bindPipeline(_pipeline: Codepipeline): void {}
  get outputs(): Record<string, SourceOutput> {
    return {};
  }
}
