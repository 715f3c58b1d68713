import { z } from "zod";
import { buildOverridesSchema } from "../delivery/delivery-config";
import { sourceSchema } from "../delivery/sources/source-config";
import { targetGroupOverridesSchema } from "../network/load-balancer-config";
import { routingSchema, ServiceRouting } from "../network/service-routing-config";
import { databaseSchema, DatabaseSettings } from "../service/database-config";
import { serviceEntryOverridesSchema, ServiceSettings } from "../service/service-config";
import { deploymentOverridesSchema } from "../traffic-control/deployment-config";
import { EnvironmentDefaults, EnvironmentInput, environmentDeployment, defined, resolveEnvironment, ResolvedEnvironment } from "./environments";

/** A service's name: part of its resources' names and outputs, like an environment's. */
export const serviceName = z.string().regex(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/, {
  message: "must be 1-20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
});

/**
 * One item of `services`: its routing on the shared listeners, and its own settings over the top-level
 * ones (which every service inherits). Per environment, the environment's overrides then apply to every service.
 */
export const serviceEntrySchema = z.strictObject({
  routing: routingSchema,
  service: serviceEntryOverridesSchema.optional(),
  /** The service's target groups: its health check and draining. */
  loadBalancer: targetGroupOverridesSchema.optional(),
  deployment: deploymentOverridesSchema.optional(),
  build: buildOverridesSchema.optional(),
  /** A PostgreSQL instance per environment for this service. @default none */
  database: databaseSchema,
  /** The service's own repository: its pipeline's source. */
  source: sourceSchema.optional(),
  /**
   * The service's folder in the repository the services share (the top-level `source`, a CodeStar
   * connection): only pushes that change it start the service's pipeline, and the build runs there.
   */
  /** With GitHub Actions delivery: the service's repository (owner/name), the only one its roles trust. */
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: "must be owner/name, e.g. my-org/api" }).optional(),
  folder: z
    .string()
    .regex(/^(?!(.*\/)?\.\.?(\/|$))[\w.-]+(\/[\w.-]+)*$/, { message: "must be a folder of the repository, such as services/api (relative, no . or ..)" })
    .optional(),
});
export type ServiceEntryInput = z.output<typeof serviceEntrySchema>;

/** What a service's settings are resolved over: the top-level sections it may override. */
export interface ServiceDefaults extends EnvironmentDefaults {
  readonly build: object;
  readonly source?: unknown;
}

/** One service with every setting resolved, and its view of every environment. */
export interface ResolvedService<Build, Source> extends EnvironmentDefaults {
  readonly name: string;
  readonly routing: ServiceRouting;
  readonly build: Build;
  readonly database: DatabaseSettings;
  readonly source?: Source;
  /** Its folder in the shared repository (then `source` is the shared one). */
  readonly folder?: string;
  /** With GitHub Actions delivery: its repository. */
  readonly repository?: string;
  /** In deployment order: each environment's overrides over this service's settings. */
  readonly environments: ResolvedEnvironment[];
}

export function resolveService<T extends ServiceDefaults>(
  top: T,
  name: string,
  entry: ServiceEntryInput,
  environments: readonly EnvironmentInput[],
): ResolvedService<T["build"], NonNullable<ServiceEntryInput["source"]>> {
  const own: EnvironmentDefaults = {
    service: { ...top.service, ...defined(entry.service) } as ServiceSettings,
    loadBalancer: { ...top.loadBalancer, ...defined(entry.loadBalancer) },
    deployment: environmentDeployment(top.deployment, entry.deployment),
  };
  return {
    name,
    routing: entry.routing,
    ...own,
    build: { ...top.build, ...defined(entry.build) },
    database: entry.database,
    source: entry.source ?? (entry.folder ? (top.source as NonNullable<ServiceEntryInput["source"]>) : undefined),
    folder: entry.folder,
    repository: entry.repository,
    environments: environments.map((env) => resolveEnvironment(own, env)),
  };
}
