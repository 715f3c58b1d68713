import { z } from "zod";
import { addIssue, Issues } from "../core/schema-fields";

/**
 * AWS's quotas for an Application Load Balancer that bound how many services can share one (Elastic
 * Load Balancing User Guide, "Quotas for your Application Load Balancers"): rules (default actions not
 * counted) and target groups per load balancer, and condition values and wildcards per rule.
 */
export const ALB_QUOTAS = { rulesPerLoadBalancer: 100, targetGroupsPerLoadBalancer: 100, conditionValuesPerRule: 5, wildcardsPerRule: 5 } as const;
/** Each service takes a rule on the production and on the test listener, and a blue and a green target group. */
export const RULES_PER_SERVICE = 2;
export const TARGET_GROUPS_PER_SERVICE = 2;
export const MAX_SERVICES = Math.min(
  ALB_QUOTAS.rulesPerLoadBalancer / RULES_PER_SERVICE,
  ALB_QUOTAS.targetGroupsPerLoadBalancer / TARGET_GROUPS_PER_SERVICE,
);

/** A host-header condition value: a DNS name, `*` and `?` allowed (ELB: up to 128 characters). */
const hostPattern = z
  .string()
  .max(128)
  .regex(/^[a-z0-9*?]([a-z0-9*?-]*[a-z0-9*?])?(\.[a-z0-9*?]([a-z0-9*?-]*[a-z0-9*?])?)*$/, { message: "must be a lowercase host name such as api.example.com (* and ? allowed)" });
/** A path-pattern condition value: starts with /, `*` and `?` allowed (ELB: up to 128 characters). */
const pathPattern = z.string().max(128).regex(/^\/[A-Za-z0-9_\-.$/~"'@:+&()!,;=*?]*$/, { message: "must be a path pattern such as /api/* (starting with /)" });

/** `services.<name>.routing`: which requests on the shared listeners are this service's. */
export const routingSchema = z.strictObject({
  /** Host names the service answers (any of them). @default any host */
  hosts: z.array(hostPattern).default([]),
  /** Path patterns the service answers (any of them), e.g. ["/api/*"]. @default any path */
  paths: z.array(pathPattern).default([]),
  /**
   * The rules' priority on both listeners (1-50000, lower is evaluated first), unique per load
   * balancer. Given, not derived, so that adding or removing a service moves no other service's rule.
   */
  priority: z.number().int().min(1).max(50000),
});
export type ServiceRouting = z.output<typeof routingSchema>;

/** Do a rule's conditions match every request the other's match (so the other is never reached after it)? */
function claimsEverything(first: ServiceRouting, then: ServiceRouting): boolean {
  const hostsCovered = first.hosts.length === 0 || (then.hosts.length > 0 && then.hosts.every((h) => first.hosts.some((p) => globMatches(p, h))));
  const pathsCovered = first.paths.length === 0 || (then.paths.length > 0 && then.paths.every((q) => first.paths.some((p) => globMatches(p, q))));
  return hostsCovered && pathsCovered;
}

/** ELB's wildcards: `*` any run of characters, `?` one character. A pattern matched against another pattern is taken literally. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i").test(value);
}

/** The routes of every service, checked together: each needs a condition, within ELB's quotas, with a priority and requests of its own. */
export function checkRoutes(routes: ReadonlyArray<{ readonly name: string; readonly routing: ServiceRouting }>, ctx: Issues): void {
  if (routes.length > MAX_SERVICES) {
    addIssue(
      ctx,
      ["services"],
      `lists ${routes.length} services; one load balancer holds at most ${MAX_SERVICES}: each takes ${RULES_PER_SERVICE} of its ${ALB_QUOTAS.rulesPerLoadBalancer} rules and ${TARGET_GROUPS_PER_SERVICE} of its ${ALB_QUOTAS.targetGroupsPerLoadBalancer} target groups`,
    );
  }
  routes.forEach(({ name, routing }, i) => {
    const at = ["services", name, "routing"];
    const values = [...routing.hosts, ...routing.paths];
    if (values.length === 0) {
      addIssue(ctx, at, "needs hosts or paths: a rule on a shared listener must say which requests are this service's (the listeners answer 404 to the rest)");
    }
    if (values.length > ALB_QUOTAS.conditionValuesPerRule) {
      addIssue(ctx, at, `lists ${values.length} hosts and paths; a listener rule takes at most ${ALB_QUOTAS.conditionValuesPerRule} condition values`);
    }
    const wildcards = values.join("").replace(/[^*?]/g, "").length;
    if (wildcards > ALB_QUOTAS.wildcardsPerRule) {
      addIssue(ctx, at, `uses ${wildcards} wildcards; a listener rule takes at most ${ALB_QUOTAS.wildcardsPerRule}`);
    }
    for (const other of routes.slice(0, i)) {
      if (other.routing.priority === routing.priority) {
        addIssue(ctx, [...at, "priority"], `${routing.priority} is also services.${other.name}'s; each service's rules need their own priority`);
      }
      const [first, then] = other.routing.priority < routing.priority ? [other, { name, routing }] : [{ name, routing }, other];
      if (values.length && claimsEverything(first.routing, then.routing)) {
        addIssue(
          ctx,
          ["services", then.name, "routing"],
          `claims only requests services.${first.name} already claims (its priority ${first.routing.priority} is evaluated first), so it would never be reached; give it a priority below ${first.routing.priority} or a host or path of its own`,
        );
      }
    }
  });
}
