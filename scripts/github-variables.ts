/**
 * Prints the `gh variable set` commands that give the repository, and each GitHub environment, the
 * variables the deploy workflow reads, from the deployed stack's outputs (github_actions_variables,
 * github_actions_environment_variables). Run it after `cdktf deploy`, review, and pipe it to a shell:
 *
 *   CONFIG=<file> npm run -s github-variables            # the sandbox's outputs, else `terraform output -json` in cdktf.out/stacks/<appName>
 *   CONFIG=<file> npm run -s github-variables -- outputs.json   # or outputs saved with `terraform output -json > outputs.json`
 *   CONFIG=<file> npm run -s github-variables -- --service api   # with services: that service's repository
 *   ... | sh                                              # with gh authenticated for the repository
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfigOrExit } from "../src/config";
import { serviceNamed } from "../src/delivery/github-workflow";
import { commandLine, CommandSpec } from "./lib/command-line";

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

export const COMMAND: CommandSpec = {
  name: "github-variables",
  summary: "prints the gh commands that set the deploy workflow's variables, from the deployed stack's outputs",
  usage: "[outputs.json] [--service <name>]",
  maxPositionals: 1,
  options: { service: { type: "string", description: "with services: the service whose repository gets them" } },
  examples: [
    "CONFIG=examples/seed-004-github-actions.json npm run -s github-variables | sh",
    "terraform output -json > outputs.json && npm run -s github-variables -- outputs.json",
  ],
};

/**
 * The stack's outputs as `terraform output -json` prints them: from the file given, else the sandbox's stack,
 * else cdktf.out's; undefined (with why) when none of them has any.
 */
export function findOutputs(appName: string, file: string | undefined, root = process.cwd()): { text: string } | { missing: string } {
  if (file) {
    if (!existsSync(file)) return { missing: `${file} does not exist (save it with \`terraform output -json > ${file}\`)` };
    return { text: readFileSync(file, "utf8") };
  }
  for (const dir of [join(root, ".tmp", "sandbox", "cdktf.out", "stacks", appName), join(root, "cdktf.out", "stacks", appName)]) {
    if (!existsSync(join(dir, ".terraform"))) continue;
    const shown = spawnSync("terraform", ["output", "-json"], { cwd: dir, encoding: "utf8" });
    if (shown.status === 0 && shown.stdout.trim() !== "{}") return { text: shown.stdout };
  }
  return {
    missing: `no outputs of ${appName} found (not in the sandbox, not in cdktf.out): deploy first (cdktf deploy, or npm run sandbox:up), or pass a file saved with \`terraform output -json\``,
  };
}

if (require.main === module) {
  const { values, positionals } = commandLine(COMMAND);
  const config = loadConfigOrExit(process.env);
  if (config.delivery.mode !== "github-actions") {
    console.error('delivery.mode is "codepipeline": there are no GitHub variables to set');
    process.exit(1);
  }
  let service: ReturnType<typeof serviceNamed>;
  try {
    service = serviceNamed(config, values.service as string | undefined);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const found = findOutputs(config.appName, positionals[0]);
  if ("missing" in found) {
    console.error(found.missing);
    process.exit(1);
  }
  try {
    const repository = service?.repository ?? config.delivery.repository!;
    console.log(ghVariableCommands(repository, JSON.parse(found.text), service ? `${service.name}_` : "").join("\n"));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
