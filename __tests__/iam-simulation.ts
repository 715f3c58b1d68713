import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import { resourcesOf, Synthesized } from "./helpers";
import { IamPolicy, TEST_ACCOUNT, TerraformValues } from "./terraform-values";

/** One AWS API call a principal makes: the IAM action, the ARN it acts on, and its request context. */
export interface Call {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** A resource policy that also decides (a KMS key policy). */
  readonly resourcePolicy?: IamPolicy;
}

/** A role of the synthesized stack with its policies rendered as AWS would hold them after an apply. */
export interface RoleUnderTest {
  readonly name: string;
  readonly arn: string;
  readonly trust: IamPolicy;
  readonly policies: Array<{ name: string; policy: IamPolicy }>;
}

/** Every role of the stack, by physical name. */
export function stackRoles(s: Synthesized): Map<string, RoleUnderTest> {
  const values = new TerraformValues(s.tf);
  const documentName = (expression: string) => /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(expression)![1];
  const roles = new Map<string, RoleUnderTest>();
  for (const [id, role] of Object.entries(resourcesOf(s.tf, "aws_iam_role"))) {
    const name = values.field("aws_iam_role", id, "name") as string;
    const policies = Object.values(resourcesOf(s.tf, "aws_iam_role_policy"))
      .filter((p) => p.role === `\${aws_iam_role.${id}.id}`)
      .map((p) => ({ name: p.name as string, policy: values.policyDocument(documentName(p.policy)) }));
    roles.set(name, {
      name,
      arn: values.attribute(["aws_iam_role", id, "arn"]),
      trust: values.policyDocument(documentName(role.assume_role_policy)),
      policies,
    });
  }
  return roles;
}

/** The role with this physical name; fails when the stack has none. */
export function roleNamed(roles: Map<string, RoleUnderTest>, name: string): RoleUnderTest {
  const role = roles.get(name);
  if (!role) throw new Error(`no role ${name}; the stack has ${[...roles.keys()].join(", ")}`);
  return role;
}

/**
 * Whether IAM would allow the role this call, evaluated by @cloud-copilot/iam-simulate against AWS's
 * service authorization reference (actions, resource types, condition keys). Returns the simulator's
 * verdict, or its validation error (an action or ARN AWS does not know fails the test too).
 */
export async function decide(role: RoleUnderTest, call: Call): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(call.resourcePolicy ? { resourcePolicy: call.resourcePolicy } : {}),
      request: {
        action: call.action,
        principal: role.arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/session",
        resource: { resource: call.resource, accountId: TEST_ACCOUNT },
        contextVariables: { "aws:PrincipalArn": role.arn, "aws:PrincipalAccount": TEST_ACCOUNT, ...call.context },
      },
    },
    {},
  );
  if (result.resultType === "error") return `invalid request: ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}

// iam-simulate's unsafe mode loads a resource policy without the metadata it then reads; give every
// policy a name so that mode can evaluate trust policies.
const policyPrototype = Object.getPrototypeOf(loadPolicy({ Version: "2012-10-17", Statement: [] }));
const metadata = policyPrototype.metadata;
policyPrototype.metadata = function (this: unknown) {
  return metadata.call(this) ?? { name: "trust-policy" };
};

/**
 * Whether a role's trust policy admits a GitHub Actions job presenting this OIDC subject. IAM documents
 * `<provider>:sub` and `:aud` for every OIDC provider, but the simulator's data set lists only the
 * provider-specific claims, and its validating mode drops the two; the unsafe mode evaluates them as given.
 */
export function admitsWebIdentity(role: RoleUnderTest, providerArn: string, claims: { sub: string; aud: string }): string {
  return runUnsafeSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trust,
      request: {
        action: "sts:AssumeRoleWithWebIdentity",
        principal: providerArn,
        resource: { resource: role.arn, accountId: TEST_ACCOUNT },
        contextVariables: {
          "token.actions.githubusercontent.com:sub": claims.sub,
          "token.actions.githubusercontent.com:aud": claims.aud,
        },
      },
    },
    {},
  ) as unknown as string;
}

/** Whether a role's trust policy admits an AWS service (sts:AssumeRole by its service principal). */
export async function admitsService(role: RoleUnderTest, service: string): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trust,
      request: {
        action: "sts:AssumeRole",
        principal: service,
        resource: { resource: role.arn, accountId: TEST_ACCOUNT },
        contextVariables: {},
      },
    },
    {},
  );
  if (result.resultType === "error") return `invalid request: ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}
