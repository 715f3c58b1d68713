import { Construct } from "constructs";
import { stackOutput } from "../../core/stack-output";
import { CodeCommitSource } from "./codecommit-source";
import { CodeStarConnectionSource } from "./codestar-connection-source";
import { GitHubOAuthSource } from "./github-oauth-source";
import { PipelineSource, SourceContext } from "./pipeline-source";
import { S3Source } from "./s3-source";
import { SourceSettings } from "./source-config";

export type { PipelineSource, SourceContext } from "./pipeline-source";

/** Builds the source construct the config's `source.kind` names, with the outputs a user needs to finish setting it up. */
export function createSource(scope: Construct, source: SourceSettings, context: SourceContext): PipelineSource {
  const created = sourceOfKind(scope, source, context);
  for (const [name, output] of Object.entries(created.outputs)) stackOutput(scope, name, output.value, output.description);
  return created;
}

function sourceOfKind(scope: Construct, source: SourceSettings, context: SourceContext): PipelineSource {
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
