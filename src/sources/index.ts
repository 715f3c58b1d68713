import { Construct } from "constructs";
import { StackConfig } from "../config";
import { CodeStarConnectionSource } from "./codestar-connection-source";
import { PipelineSource } from "./pipeline-source";

export type { PipelineSource } from "./pipeline-source";

/** Builds the source construct the config's `source.kind` names. */
export function createSource(scope: Construct, config: StackConfig): PipelineSource {
  const source = config.source;
  switch (source.kind) {
    case "codestar":
      return new CodeStarConnectionSource(scope, "source", {
        appName: config.appName,
        region: config.region,
        providerType: source.providerType,
        repositoryId: source.repositoryId,
        branchName: source.branchName,
        connectionArn: source.connectionArn,
      });
  }
}
