import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { arnInAccountOf, PolicyStatement, ServiceRole } from "../security/iam";
import { isSecretsManagerReference, ParameterReference, SecretReference, SecretsManagerReference } from "./secrets-config";

/** An ECS `secrets` entry: the variable and where its value is read from. */
export interface ContainerSecret {
  readonly name: string;
  readonly valueFrom: string;
}

export interface ApplicationSecretsProps {
  readonly region: string;
  /** Variable name -> reference, as `service.secrets` gives them. */
  readonly secrets: Record<string, SecretReference>;
  /** The role ECS reads the values with when a task starts: it may read exactly these. */
  readonly executionRole: ServiceRole;
  /**
   * Look up a secret given by name (false in sandbox mode, which makes no AWS call: the name then stands
   * in an ARN without the suffix, which plans but would not read the secret). @default true
   */
  readonly lookUpByName?: boolean;
}

/**
 * The application's secrets as the container's ECS `secrets`, and the execution role's grant to read
 * exactly them: `secretsmanager:GetSecretValue` on each secret, `ssm:GetParameters` on each parameter,
 * and `kms:Decrypt` on a customer-managed key given for them, only through the service that holds them.
 * A secret given by name is looked up (its ARN ends in a suffix AWS chooses), so a plan fails early,
 * naming it, when it does not exist. Nothing here reads a value: the state holds references only.
 */
export class ApplicationSecrets extends Construct {
  readonly entries: ContainerSecret[];

  constructor(scope: Construct, id: string, props: ApplicationSecretsProps) {
    super(scope, id);
    const role = props.executionRole.role.arn;
    const secretArns: string[] = [];
    const parameterArns: string[] = [];
    const keysBy = { secretsmanager: new Set<string>(), ssm: new Set<string>() };
    this.entries = Object.entries(props.secrets).map(([name, ref]) => {
      if (isSecretsManagerReference(ref)) {
        const arn = ref.secretsManager.startsWith("arn:")
          ? ref.secretsManager
          : props.lookUpByName === false
            ? arnInAccountOf(role, "secretsmanager", `secret:${ref.secretsManager}`, props.region)
            : new DataAwsSecretsmanagerSecret(this, `secret-${name}`, { name: ref.secretsManager }).arn;
        secretArns.push(arn);
        if (ref.kmsKeyArn) keysBy.secretsmanager.add(ref.kmsKeyArn);
        return { name, valueFrom: secretValueFrom(arn, ref) };
      }
      parameterArns.push(parameterArn(ref, role, props.region));
      if (ref.kmsKeyArn) keysBy.ssm.add(ref.kmsKeyArn);
      // ECS takes a parameter of the task's region by name; IAM needs its ARN.
      return { name, valueFrom: ref.ssmParameter };
    });
    if (!this.entries.length) return;

    const statements: PolicyStatement[] = [];
    if (secretArns.length) statements.push({ sid: "ReadApplicationSecrets", actions: ["secretsmanager:GetSecretValue"], resources: secretArns });
    if (parameterArns.length) statements.push({ sid: "ReadApplicationParameters", actions: ["ssm:GetParameters"], resources: parameterArns });
    for (const [service, keys] of Object.entries(keysBy)) {
      if (!keys.size) continue;
      statements.push({
        sid: service === "ssm" ? "DecryptApplicationParameters" : "DecryptApplicationSecrets",
        actions: ["kms:Decrypt"],
        resources: [...keys],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`${service}.${props.region}.amazonaws.com`] }],
      });
    }
    props.executionRole.addPolicy("application-secrets", statements);
  }
}

/** ECS's form <secret ARN>:<JSON key>:<version stage>:<version id>, each part optional; the bare ARN for the whole current secret. */
function secretValueFrom(arn: string, ref: SecretsManagerReference): string {
  const parts = [ref.jsonKey, ref.versionStage, ref.versionId];
  if (parts.every((p) => p === undefined)) return arn;
  const suffix = `:${parts.map((p) => p ?? "").join(":")}`;
  // A looked-up ARN is a token: format() rather than a template nested in the task definition's jsonencode().
  return Token.isUnresolved(arn) ? Fn.format(`%s${suffix}`, [arn]) : `${arn}${suffix}`;
}

/** A parameter's ARN: as given, or built from its name in the task's region and the role's account and partition. */
function parameterArn(ref: ParameterReference, roleArn: string, region: string): string {
  const given = ref.ssmParameter;
  return given.startsWith("arn:") ? given : arnInAccountOf(roleArn, "ssm", `parameter/${given.replace(/^\//, "")}`, region);
}

