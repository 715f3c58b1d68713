import { StackConfig } from "../config";

/** The settings a running stack cannot change in place, as recorded after each apply. */
export interface StackShape {
  readonly region: string;
  readonly appName: string;
  readonly availabilityZones: string[];
  /** "created", or the id of the existing VPC the stack runs in. */
  readonly network: string;
  readonly vpcCidr: string;
  readonly publicSubnetCidrs: string[];
  /** The private subnets that exist (none without NAT). */
  readonly privateSubnetCidrs: string[];
  /** Tasks in public subnets (natGateways "none") rather than private ones. */
  readonly tasksInPublicSubnets: boolean;
  readonly customerManagedKey: string;
  readonly deliveryMode: string;
  readonly artifactsForceDestroy: boolean;
  /** Storage the source owns (a created CodeCommit repository or S3 bucket), or "" when it owns none. */
  readonly sourceStorage: string;
  /** Each environment's service.enableExecuteCommand, which AWS sets on a service under CodeDeploy only when it is created. */
  readonly executeCommand: Record<string, boolean>;
  /** Each environment's database: what replaces it, and whether AWS refuses to delete it. */
  readonly databases: Record<
    string,
    { readonly databaseName: string; readonly username: string; readonly deletionProtection: boolean; readonly engineMajor: string }
  >;
}

export function stackShape(config: StackConfig): StackShape {
  const existing = config.network.existing;
  const tasksInPublicSubnets = !existing && config.network.natGateways === "none";
  return {
    region: config.region,
    appName: config.appName,
    availabilityZones: config.availabilityZones,
    network: existing ? existing.vpcId : "created",
    vpcCidr: config.network.vpcCidr,
    publicSubnetCidrs: config.network.publicSubnetCidrs.slice(0, config.availabilityZones.length),
    privateSubnetCidrs: tasksInPublicSubnets ? [] : config.network.privateSubnetCidrs.slice(0, config.availabilityZones.length),
    tasksInPublicSubnets,
    customerManagedKey: config.encryption.customerManagedKey,
    deliveryMode: config.delivery.mode,
    artifactsForceDestroy: config.artifacts.forceDestroy,
    ...servicesShape(config),
  };
}

/** Source storage, ECS Exec and databases: the one service's by environment, or (several services) by `<service>/<environment>`. */
function servicesShape(config: StackConfig): Pick<StackShape, "sourceStorage" | "executeCommand" | "databases"> {
  const services = config.services.length
    ? config.services.map((svc) => ({ key: `${svc.name}/`, source: svc.folder ? undefined : svc.source, environments: svc.environments, database: svc.database }))
    : [{ key: "", source: config.source, environments: config.environments, database: config.database }];
  const storage = services.map(({ key, source }) => {
    const created = source?.kind === "codecommit" && source.createRepository ? `codecommit:${source.repositoryName}` : source?.kind === "s3" && !source.bucketName ? "s3-bucket" : "";
    return created && key ? `${key}${created}` : created;
  });
  return {
    sourceStorage: storage.filter(Boolean).join(","),
    executeCommand: Object.fromEntries(services.flatMap(({ key, environments }) => environments.map((env) => [`${key}${env.name}`, env.service.enableExecuteCommand]))),
    databases: Object.fromEntries(
      services.flatMap(({ key, environments, database }) =>
        database.enabled
          ? environments.map((env) => [
              `${key}${env.name}`,
              { databaseName: database.databaseName, username: database.username, deletionProtection: database.deletionProtection, engineMajor: database.engineVersion.split(".")[0] },
            ])
          : [],
      ),
    ),
  };
}
