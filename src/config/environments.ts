import { z } from "zod";
import { approvalSchema } from "../delivery/delivery-config";
import { LoadBalancerSettings, loadBalancerOverridesSchema } from "../network/load-balancer-config";
import { ServiceSettings, serviceOverridesSchema } from "../service/service-config";
import { DeploymentSettings, deploymentOverridesSchema } from "../traffic-control/deployment-config";

/** One item of `environments`: a name, an optional approval, and overrides of the top-level defaults. */
export const environmentSchema = z.strictObject({
  /** Short name: becomes part of resource names and stage names (Deploy_to_<Name>). */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, { message: "must be 1-20 lowercase letters, digits or hyphens, starting with a letter" }),
  /** Require a person's approval in the pipeline before deploying here. */
  approval: approvalSchema.optional(),
  /**
   * With GitHub Actions delivery: the GitHub environment this environment's deploy job runs in, and the
   * only one its deploy role trusts. @default its name (the last environment: delivery.githubEnvironment when set)
   */
  githubEnvironment: z.string().regex(/^[\w.-]{1,255}$/, { message: "must be a GitHub environment name: letters, digits, '.', '-', '_'" }).optional(),
  service: serviceOverridesSchema.optional(),
  loadBalancer: loadBalancerOverridesSchema.optional(),
  deployment: deploymentOverridesSchema.optional(),
});
export type EnvironmentInput = z.output<typeof environmentSchema>;

/** The top-level settings environments inherit. */
export interface EnvironmentDefaults {
  readonly service: ServiceSettings;
  readonly loadBalancer: LoadBalancerSettings;
  readonly deployment: DeploymentSettings;
}

/** One environment with every setting resolved: its overrides over the top-level defaults. */
export interface ResolvedEnvironment extends EnvironmentDefaults {
  readonly name: string;
  readonly approval?: EnvironmentInput["approval"];
  readonly githubEnvironment?: string;
}

export function resolveEnvironment(top: EnvironmentDefaults, env: EnvironmentInput): ResolvedEnvironment {
  return {
    name: env.name,
    approval: env.approval,
    githubEnvironment: env.githubEnvironment,
    service: { ...top.service, ...defined(env.service) } as ServiceSettings,
    loadBalancer: { ...top.loadBalancer, ...defined(env.loadBalancer) } as LoadBalancerSettings,
    deployment: environmentDeployment(top.deployment, env.deployment),
  };
}

export function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** An environment's deployment settings; its own predefined deploymentConfigName replaces an inherited trafficShifting. */
export function environmentDeployment(top: DeploymentSettings, env: EnvironmentInput["deployment"]): DeploymentSettings {
  const merged = mergeGroups(top, env as Partial<DeploymentSettings> | undefined);
  if (env?.deploymentConfigName && !env.trafficShifting) return { ...merged, trafficShifting: undefined };
  return merged;
}

/** An environment's overrides over the defaults; a group of settings (an object) is merged one level deep. */
function mergeGroups<T extends object>(top: T, env: Partial<T> | undefined): T {
  const merged: Record<string, unknown> = { ...(top as Record<string, unknown>) };
  for (const [key, value] of Object.entries(defined(env))) {
    const base = merged[key];
    const isGroup = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
    merged[key] = isGroup(base) && isGroup(value) ? { ...(base as object), ...defined(value as object) } : value;
  }
  return merged as T;
}
