import { DataResource, TerraformLocal, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { DataAwsS3Object } from "@cdktf/provider-aws/lib/data-aws-s3-object";
import { DataAwsS3Objects } from "@cdktf/provider-aws/lib/data-aws-s3-objects";
import { DataAwsSsmParametersByPath } from "@cdktf/provider-aws/lib/data-aws-ssm-parameters-by-path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { StackConfig } from "../config";
import { physicalName } from "../core/naming";
import { localStatePath } from "../provider/aws-provider";
import { StackShape, stackShape } from "./running-stack-shape";

export { stackShape } from "./running-stack-shape";
export type { StackShape } from "./running-stack-shape";

/** Name of the output that records, in the state, the settings a running stack must keep. */
export const SHAPE_OUTPUT = "running_stack_shape";
/** The SSM parameter that records the same settings in the account, wherever the state lives. */
export const shapeParameterName = (appName: string) => physicalName("ssmParameter", `/${appName}/running-stack-shape`);
/** SSM's limits for a parameter's value (bytes): standard, and advanced (many services' records may need it). */
const STANDARD_PARAMETER_BYTES = 4096;
const ADVANCED_PARAMETER_BYTES = 8192;

interface Rule {
  /** A Terraform condition over `prior` (the recorded shape, {} before the first apply) and `new` (this config's). */
  readonly condition: string;
  readonly message: string;
}

const PRIOR = "local.running_stack_recorded";
const NEW = "local.running_stack_shape";
/** A recorded setting, or this config's value when the state has none (a new stack passes every rule). */
const prior = (key: keyof StackShape) => `lookup(${PRIOR}, "${key}", ${NEW}.${key})`;
const unchanged = (key: keyof StackShape) => `jsonencode(${prior(key)}) == jsonencode(${NEW}.${key})`;
/** The recorded list is still the start of the new one: entries may be added, none changed or removed. */
const onlyAppended = (key: keyof StackShape) =>
  `length(${prior(key)}) <= length(${NEW}.${key}) && jsonencode(slice(${NEW}.${key}, 0, min(length(${prior(key)}), length(${NEW}.${key})))) == jsonencode(${prior(key)})`;

/**
 * The changes AWS would refuse, or that would delete something still in use, on a running stack. Each is
 * refused at plan time with what to do instead.
 */
const RULES: Rule[] = [
  {
    condition: unchanged("region"),
    message:
      "region: a running stack cannot move to another region. Deploy the stack anew there (another appName or state), move traffic, then destroy this one.",
  },
  {
    condition: unchanged("appName"),
    message:
      "appName: renaming a running stack would replace every resource, the load balancers and their DNS names among them. Keep the name, or deploy a new stack with the new name beside this one and destroy this one once traffic has moved.",
  },
  {
    condition: unchanged("network"),
    message:
      "network.existing: the load balancers, tasks and databases of a running stack sit in its network; moving them into another VPC (or from the stack's own network into an existing one, or back) would replace them all, and AWS will not delete a VPC that still holds them. Deploy a new stack into the other network, move traffic, then destroy this one.",
  },
  {
    condition: `${onlyAppended("availabilityZones")} && ${onlyAppended("publicSubnetCidrs")} && ${unchanged("vpcCidr")}`,
    message:
      "availabilityZones / network.vpcCidr / network.publicSubnetCidrs: the load balancers and tasks of a running stack sit in these subnets, which AWS will not delete while they do. A zone may be added (append it, with its subnets, to the end of each list); existing ones cannot be changed or removed in place.",
  },
  {
    condition: `${NEW}.tasksInPublicSubnets ? ${prior("tasksInPublicSubnets")} : (${prior("tasksInPublicSubnets")} || (${onlyAppended("privateSubnetCidrs")}))`,
    message:
      'network.natGateways / network.privateSubnetCidrs: the running tasks sit in the private subnets behind NAT; "none" (or a changed private subnet) would delete the subnets that hold them. "single" and "one-per-az" may be switched freely, a NAT mode adopted from "none" (the next deployment moves the tasks to the new private subnets), and private subnets appended with a new zone; to go back to "none", deploy the stack anew.',
  },
  {
    condition: unchanged("customerManagedKey"),
    message:
      "encryption.customerManagedKey: ECR repositories and RDS instances keep the key they were created with; changing it would replace the image repository (and its images) and every database. Keep it, or deploy the stack anew.",
  },
  {
    condition: `${unchanged("deliveryMode")} || ${prior("deliveryMode")} != "codepipeline" || ${prior("artifactsForceDestroy")}`,
    message:
      'delivery.mode: leaving "codepipeline" deletes the artifact bucket, which S3 refuses while it holds artifacts. Set artifacts.forceDestroy to true and apply first, then change delivery.mode.',
  },
  {
    condition: `${unchanged("sourceStorage")} || !local.running_stack_owns_source_storage`,
    message:
      "source: the stack created the pipeline's source storage (a CodeCommit repository or an S3 bucket), and this change would delete it with its content. Keep the source, or take the storage out of the stack first: `terraform state rm` of its address keeps it in AWS, outside the stack, and this change then applies.",
  },
  {
    condition: `alltrue([for env, on in ${prior("executeCommand")} : try(${NEW}.executeCommand[env] == on, true)])`,
    message:
      "service.enableExecuteCommand: AWS sets ECS Exec on a service under CodeDeploy only when the service is created (UpdateService refuses it with the CODE_DEPLOY controller), so a running environment keeps what it was created with. Keep the setting for the running environments; a new environment may have either.",
  },
  {
    condition: `alltrue([for env, db in ${prior("databases")} : !db.deletionProtection || try(${NEW}.databases[env].databaseName == db.databaseName && ${NEW}.databases[env].username == db.username, false)])`,
    message:
      "database / environments: this change would delete or replace a database that has deletion protection (disabling the database, removing its environment, or changing database.databaseName or database.username, which RDS cannot change in place). Set database.deletionProtection to false and apply first if the data may go, or keep these settings.",
  },
  {
    condition: `alltrue([for env, db in ${prior("databases")} : try(${NEW}.databases[env].engineMajor == db.engineMajor, true)])`,
    message:
      "database.engineVersion: a major version upgrade needs RDS's major-version path (a snapshot, a tested upgrade, allow_major_version_upgrade), which this stack does not take on a running database. Keep the major version (minor versions are applied by RDS in its maintenance window), or restore a snapshot into a stack on the new version.",
  },
];

export interface RunningStackGuardProps {
  readonly config: StackConfig;
  /** The provider that can read the S3 state bucket (in its region), with an S3 backend. */
  readonly stateProvider?: AwsProvider;
}

/**
 * Refuses, at plan time, a change that a running stack cannot take in place. Every apply records the
 * settings in question twice: as an output in the state, and as an SSM parameter in the account
 * (`/<appName>/running-stack-shape`). The next plan reads the record back from the state the config
 * names (the local state file through `file()`, or the S3 state object through the S3 data sources) and,
 * when that holds none (the backend was overridden, the state migrated elsewhere, the stack exported to
 * plain Terraform), from the parameter, then checks the new config against it with preconditions, each
 * failing with a message that names the setting and says what to do instead. A new stack has neither
 * and passes every rule.
 */
export class RunningStackGuard extends Construct {
  /** The record in the account. */
  readonly parameter: SsmParameter;

  constructor(scope: Construct, id: string, props: RunningStackGuardProps) {
    super(scope, id);
    const config = props.config;
    const shape = stackShape(config);
    const recordBytes = Buffer.byteLength(JSON.stringify(shape));
    if (recordBytes > ADVANCED_PARAMETER_BYTES) {
      throw new Error(`running-stack guard: the recorded settings take ${recordBytes} bytes, more than an SSM parameter holds (${ADVANCED_PARAMETER_BYTES})`);
    }
    new TerraformLocal(this, "shape", shape).overrideLogicalId("running_stack_shape");
    new TerraformOutput(this, "output", {
      value: `\${jsonencode(${NEW})}`,
      description: "Settings a running stack must keep; the next plan checks its config against them",
    }).overrideLogicalId(SHAPE_OUTPUT);
    const parameterName = shapeParameterName(config.appName);
    this.parameter = new SsmParameter(this, "record", {
      name: parameterName,
      description: "Settings this running stack must keep: its running-stack guard reads them when the state holds none",
      type: "String",
      // Only a record of many services outgrows a standard parameter.
      tier: recordBytes > STANDARD_PARAMETER_BYTES ? "Advanced" : "Standard",
      value: `\${jsonencode(${NEW})}`,
    });

    const state = "local.running_stack_state";
    // try(): no state yet, or the empty file the local backend creates to lock a first apply.
    new TerraformLocal(this, "state-json", `\${try(jsondecode(${this.stateJson(config, props.stateProvider)}), {})}`).overrideLogicalId("running_stack_state");
    new TerraformLocal(this, "in-account", `\${${this.accountRecord(config, parameterName)}}`).overrideLogicalId("running_stack_account_record");
    // The state's record first; the account's when the state this plan reads holds none; else a new stack.
    new TerraformLocal(
      this,
      "recorded",
      `\${jsondecode(coalesce(lookup(lookup(${state}, "outputs", {}), "${SHAPE_OUTPUT}", { value = "" }).value, local.running_stack_account_record, "{}"))}`,
    ).overrideLogicalId("running_stack_recorded");
    // Storage the source construct created (its CodeCommit repository or S3 bucket) that is still in the state.
    new TerraformLocal(
      this,
      "owns-source-storage",
      `\${length([for r in lookup(${state}, "resources", []) : r if contains(["aws_codecommit_repository", "aws_s3_bucket"], r.type) && ${ownSourceStorage(config)}]) > 0}`,
    ).overrideLogicalId("running_stack_owns_source_storage");
    new DataResource(this, "guard", {
      lifecycle: { precondition: rulesFor(config).map((rule) => ({ condition: `\${${rule.condition}}`, errorMessage: rule.message })) },
    });
  }

  /** A Terraform expression for the record in the account, as JSON ("" when there is none: a new stack). */
  private accountRecord(config: StackConfig, parameterName: string): string {
    // Sandbox mode reads nothing from AWS: it only ever plans a stack that does not run.
    if (config.sandbox) return '""';
    // By path, not by name: a parameter that does not exist yet is no error, only an empty list.
    const recorded = new DataAwsSsmParametersByPath(this, "recorded-in-account", { path: `/${config.appName}`, recursive: false });
    return `try(nonsensitive(${recorded.fqn}.values[index(${recorded.fqn}.names, ${JSON.stringify(parameterName)})]), "")`;
  }

  /** A Terraform expression for the state this plan runs against, as JSON ("{}" when there is none yet). */
  private stateJson(config: StackConfig, stateProvider?: AwsProvider): string {
    const backend = config.stateBackend;
    if (!backend) {
      const path = JSON.stringify(localStatePath(config));
      return `file(${path})`;
    }
    // Sandbox mode reads nothing from AWS: it only ever plans a stack that does not run.
    if (config.sandbox) return '"{}"';
    const objects = new DataAwsS3Objects(this, "state-objects", { bucket: backend.bucket, prefix: backend.key, provider: stateProvider });
    const state = new DataAwsS3Object(this, "state", {
      bucket: backend.bucket,
      key: backend.key,
      provider: stateProvider,
      count: `\${contains(${objects.fqn}.keys, ${JSON.stringify(backend.key)}) ? 1 : 0}` as unknown as number,
    });
    return `length(${state.fqn}) > 0 ? ${state.fqn}[0].body : "{}"`;
  }
}

/** Whether a state resource `r` is source storage a source construct created: the stack's, or (several services) a service's. */
function ownSourceStorage(config: StackConfig): string {
  return config.services.length ? `can(regex("^service-[a-z0-9-]+_source_", r.name))` : `startswith(r.name, "source_")`;
}

/**
 * The rules for this config. With several services, source storage is each service's: a service may
 * add its own, and the rule refuses only a recorded one that is gone.
 */
function rulesFor(config: StackConfig): Rule[] {
  if (!config.services.length) return RULES;
  const kept = `alltrue([for recorded in split(",", ${prior("sourceStorage")}) : recorded == "" || contains(split(",", ${NEW}.sourceStorage), recorded)])`;
  return RULES.map((rule) => (rule.condition.startsWith(unchanged("sourceStorage")) ? { ...rule, condition: rule.condition.replace(unchanged("sourceStorage"), kept) } : rule));
}
