import { z } from "zod";
import { kmsKeyArn } from "../core/schema-fields";

/**
 * `service.secrets`: environment variable name -> where ECS reads its value when a task starts (never the
 * value). The forms are those ECS documents for a container's `secrets`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html and
 * .../secrets-envvar-ssm-paramstore.html): a Secrets Manager secret, optionally one JSON key of it and a
 * version; or a Systems Manager parameter, by name (same region) or ARN.
 */

/** A secret's full ARN ends with the six characters Secrets Manager appends to its name. */
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;
const PARAMETER_ARN = /^arn:aws[\w-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[\w.\-/]{1,2048}$/;
const PARAMETER_NAME = /^\/?[\w.-]+(\/[\w.-]+)*$/;
/** ECS joins the parts of a Secrets Manager reference with colons, so none may contain one. */
const referencePart = z.string().regex(/^[^:\s]{1,256}$/, { message: "must be 1-256 characters without colons or spaces" });

const secretsManagerReference = z.strictObject({
  secretsManager: z.string().refine((v) => SECRET_ARN.test(v) || (!v.startsWith("arn:") && SECRET_NAME.test(v)), {
    message: "must be the secret's full ARN (ending in the six-character suffix, e.g. …:secret:myapp/token-AbCdEf) or its name",
  }),
  /** One key of a JSON secret. @default the whole secret */
  jsonKey: referencePart.optional(),
  /** @default AWSCURRENT */
  versionStage: referencePart.optional(),
  versionId: referencePart.optional(),
  /** The customer-managed key the secret is encrypted with, when not the AWS-managed one. */
  kmsKeyArn: kmsKeyArn.optional(),
});

const parameterReference = z.strictObject({
  ssmParameter: z.string().refine((v) => PARAMETER_ARN.test(v) || (!v.startsWith("arn:") && PARAMETER_NAME.test(v) && v.length <= 2048), {
    message: "must be the parameter's name (e.g. /myapp/api-key) or ARN (arn:aws:ssm:<region>:<account>:parameter/…)",
  }),
  /** The customer-managed key of a SecureString parameter, when not the AWS-managed one. */
  kmsKeyArn: kmsKeyArn.optional(),
});

export type SecretsManagerReference = z.output<typeof secretsManagerReference>;
export type ParameterReference = z.output<typeof parameterReference>;
export type SecretReference = SecretsManagerReference | ParameterReference;

const FORMS = '{ "secretsManager": "<ARN or name>" } or { "ssmParameter": "<name or ARN>" }';

/**
 * One reference. Checked by hand rather than as a zod union so that a mistake inside a reference is
 * reported at its own field, and so that a string (a value written where a reference belongs) is refused
 * without being shown.
 */
const secretReference = z.unknown().transform((value, ctx): SecretReference => {
  const form = typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  const schema = form && "secretsManager" in form ? secretsManagerReference : form && "ssmParameter" in form ? parameterReference : undefined;
  if (!schema) {
    const message =
      typeof value === "string"
        ? `must be a reference, ${FORMS}, not a value: secret values never go in the config (the value is not shown)`
        : `must be ${FORMS}`;
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.code === "unrecognized_keys" ? [issue.keys[0]] : issue.path;
  const message = issue.code === "unrecognized_keys" ? `is not a known setting of a ${"secretsManager" in form! ? "Secrets Manager" : "parameter"} reference` : issue.message;
  ctx.addIssue({ code: "custom", path: field as Array<string | number>, message });
  return z.NEVER;
});

export const ENVIRONMENT_VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const secretsSchema = z.record(z.string().regex(ENVIRONMENT_VARIABLE_NAME, { message: "must be an environment variable name" }), secretReference);

export function isSecretsManagerReference(ref: SecretReference): ref is SecretsManagerReference {
  return "secretsManager" in ref;
}
