import { Construct } from "constructs";
import { StackConfig } from "../../config";
import { CodeCommitSource } from "./codecommit-source";
import { CodeStarConnectionSource } from "./codestar-connection-source";
import { GitHubOAuthSource } from "./github-oauth-source";
import { PipelineSource, SourceContext } from "./pipeline-source";
import { S3Source } from "./s3-source";

export type { PipelineSource, SourceContext } from "./pipeline-source";

/** Builds the source construct the config's `source.kind` names. */
export function createSource(scope: Construct, source: NonNullable<StackConfig["source"]>, context: SourceContext): PipelineSource {
  switch (source.kind) {
    case "codestar":
      return new CodeStarConnectionSource(scope, "source", { context, ...source });
    case "codecommit":
      return new CodeCommitSource(scope, "source", { context, ...source });
    case "github-oauth":
      return new GitHubOAuthSource(scope, "source", { context, ...source });
    case "s3":
      return new S3Source(scope, "source", { context, ...source });
  }
}
