/**
 * Prints the `gh variable set` commands that give the repository, and each GitHub environment, the
 * variables the deploy workflow reads, from the deployed stack's outputs (github_actions_variables,
 * github_actions_environment_variables). Run it after `cdktf deploy`, review, and pipe it to a shell:
 *
 *   CONFIG=<file> npm run -s github-variables            # reads `terraform output -json` in cdktf.out/stacks/<appName>
 *   CONFIG=<file> npm run -s github-variables -- outputs.json   # or outputs saved with `terraform output -json > outputs.json`
 *   CONFIG=<file> npm run -s github-variables -- --service api   # with services: that service's repository
 *   ... | sh                                              # with gh authenticated for the repository
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfigOrExit } from "../src/config";
import { serviceNamed } from "../src/delivery/github-workflow";

type Outputs = Record<string, { value: unknown }>;

/** A value as one shell word: single-quoted, with any single quote closed, escaped and reopened. */
export function shellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The gh commands for the stack's outputs, repository variables first, then each GitHub environment's (with --env). */
export function ghVariableCommands(repository: string, outputs: Outputs, outputPrefix = ""): string[] {
  const repositoryVariables = outputs[`${outputPrefix}github_actions_variables`]?.value;
  const environmentVariables = outputs[`${outputPrefix}github_actions_environment_variables`]?.value;
  if (typeof repositoryVariables !== "string" || typeof environmentVariables !== "string") {
    throw new Error("the outputs have no github_actions_variables / github_actions_environment_variables: deploy a stack with delivery mode \"github-actions\" first");
  }
  const repo = `--repo ${shellWord(repository)}`;
  const lines = [`# Repository variables of ${repository}`];
  for (const [name, value] of Object.entries(JSON.parse(repositoryVariables) as Record<string, string>)) {
    lines.push(`gh variable set ${name} ${repo} --body ${shellWord(value)}`);
  }
  for (const [environment, variables] of Object.entries(JSON.parse(environmentVariables) as Record<string, Record<string, string>>)) {
    // gh variable set --env creates nothing: GitHub creates an environment the first time a workflow job names it,
    // or create it first (Settings > Environments, or the REST API) to add required reviewers before the first run.
    lines.push(`# GitHub environment ${environment}`);
    for (const [name, value] of Object.entries(variables)) lines.push(`gh variable set ${name} ${repo} --env ${shellWord(environment)} --body ${shellWord(value)}`);
  }
  return lines;
}

if (require.main === module) {
  const config = loadConfigOrExit(process.env);
  if (config.delivery.mode !== "github-actions") {
    console.error('delivery.mode is "codepipeline": there are no GitHub variables to set');
    process.exit(1);
  }
  const args = process.argv.slice(2);
  const at = args.indexOf("--service");
  const serviceName = at >= 0 ? args.splice(at, 2)[1] : undefined;
  let service: ReturnType<typeof serviceNamed>;
  try {
    service = serviceNamed(config, serviceName);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const file = args[0];
  let text: string;
  if (file) {
    text = readFileSync(file, "utf8");
  } else {
    const shown = spawnSync("terraform", ["output", "-json"], { cwd: join("cdktf.out", "stacks", config.appName), encoding: "utf8" });
    if (shown.status !== 0) {
      console.error(`terraform output failed in cdktf.out/stacks/${config.appName} (deploy first, or pass a file from \`terraform output -json\`): ${shown.stderr.trim()}`);
      process.exit(1);
    }
    text = shown.stdout;
  }
  try {
    const repository = service?.repository ?? config.delivery.repository!;
    console.log(ghVariableCommands(repository, JSON.parse(text), service ? `${service.name}_` : "").join("\n"));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
