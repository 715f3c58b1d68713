import { z } from "zod";
import { addIssue, Issues } from "../core/schema-fields";
import { actionsMatching, isWildcardAction } from "../security/iam-reference";

/**
 * `service.taskRole`: the application's own AWS permissions. Statements are checked against AWS's
 * service authorization reference at synth: an action that does not exist is refused, and so are a
 * wildcard action and `Resource "*"` for an action AWS can scope to a resource, unless the statement
 * says `allowWildcard: true` and why.
 */
const statementSchema = z.strictObject({
  /** Statement id: letters and digits. */
  sid: z.string().regex(/^[A-Za-z0-9]{1,100}$/, { message: "must be letters and digits" }).optional(),
  effect: z.enum(["Allow", "Deny"]).default("Allow"),
  actions: z.array(z.string().min(1)).min(1),
  /** ARNs (which may end in a wildcard, such as arn:aws:s3:::my-bucket/*), or "*". */
  resources: z.array(z.string().regex(/^(\*|arn:[^\s]+)$/, { message: 'must be an ARN or "*"' })).min(1),
  /** IAM condition operator -> condition key -> value(s), as in a policy document's Condition. */
  conditions: z.record(z.string().regex(/^[A-Za-z]+(IfExists)?$/, { message: "must be an IAM condition operator such as StringEquals" }), z.record(z.string().min(1), z.union([z.string(), z.array(z.string()).min(1)]))).optional(),
  /** Admits a wildcard action or `Resource "*"` that AWS could scope narrower; needs `reason`. */
  allowWildcard: z.literal(true).optional(),
  reason: z.string().min(1).optional(),
});
export type TaskRoleStatement = z.output<typeof statementSchema>;

/** IAM's quota of managed policies attached to one role (default; it can be raised to 20). */
const MANAGED_POLICIES_PER_ROLE = 10;
/** IAM's limit on a role's inline policies, all together, in characters without whitespace. */
const INLINE_POLICY_CHARACTERS = 10240;

export const taskRoleSchema = z.strictObject({
  statements: z.array(statementSchema).default([]),
  managedPolicyArns: z
    .array(z.string().regex(/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/, { message: "must be an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }))
    .max(MANAGED_POLICIES_PER_ROLE, { message: `must list at most ${MANAGED_POLICIES_PER_ROLE} (IAM's default quota of managed policies per role)` })
    .default([]),
});
export type TaskRoleSettings = z.output<typeof taskRoleSchema>;

/** Every statement against AWS's reference: actions exist, and wildcards only where AWS has nothing narrower or the statement says why. */
export function checkTaskRole(taskRole: TaskRoleSettings | undefined, at: Array<string | number>, ctx: Issues): void {
  if (!taskRole) return;
  const characters = JSON.stringify(taskRole.statements).length;
  if (characters > INLINE_POLICY_CHARACTERS) {
    addIssue(ctx, at, `statements take about ${characters} characters; IAM allows a role ${INLINE_POLICY_CHARACTERS} of inline policy: use a managed policy (managedPolicyArns)`);
  }
  taskRole.statements.forEach((st, i) => {
    const here = [...at, "statements", i];
    if (st.allowWildcard && !st.reason) addIssue(ctx, [...here, "reason"], "is required with allowWildcard: say why nothing narrower will do");
    if (st.reason && !st.allowWildcard) addIssue(ctx, [...here, "reason"], "is only used with allowWildcard: true");
    st.actions.forEach((action, j) => {
      const problem = actionProblem(action, st);
      if (problem) addIssue(ctx, [...here, "actions", j], problem);
    });
  });
}

function actionProblem(action: string, st: TaskRoleStatement): string | undefined {
  const matched = action === "*" ? undefined : actionsMatching(action);
  if (action !== "*" && matched === undefined) return `"${action}" is not service:Action of a service in AWS's authorization reference`;
  if (matched && matched.length === 0) return `"${action}" is no action in AWS's authorization reference (check the spelling)`;
  if (st.effect === "Deny" || st.allowWildcard) return undefined;
  if (isWildcardAction(action)) {
    return `"${action}" is a wildcard action${matched ? ` (${matched.length} actions)` : ""}: list the actions the application calls, or set allowWildcard: true with a reason`;
  }
  const scoped = matched!.filter((a) => a.resourceTypes.length > 0);
  if (st.resources.includes("*") && scoped.length) {
    const types = [...new Set(scoped.flatMap((a) => a.resourceTypes.map((r) => r.name)))].join(", ");
    return `"${action}" on Resource "*": AWS scopes it to ${types}; name those ARNs, or set allowWildcard: true with a reason`;
  }
  return undefined;
}
