import { z } from "zod";
import { addIssue, absolutePath, allOptional, Issues, port, withDefaults } from "../core/schema-fields";
import { cidrBlock } from "./network-config";

/** An ALB health-check matcher: HTTP codes or ranges, e.g. "200" or "200-399". */
const statusMatcher = z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/);

/** The `loadBalancer` settings; at top level every environment's defaults, each overridable per environment. */
const loadBalancerFields = {
  productionPort: port,
  testPort: port,
  /** Who may reach the production listener. */
  allowedCidrs: z.array(cidrBlock).min(1),
  /** Who may reach the test listener (QA before traffic is rerouted). */
  testAllowedCidrs: z.array(cidrBlock).min(1),
  healthCheckPath: absolutePath,
  /** HTTP codes that mean healthy, e.g. "200" or "200-399". */
  healthCheckMatcher: statusMatcher,
  healthCheckIntervalSeconds: z.number().int().min(5).max(300),
  /** Seconds a draining target keeps its connections; AWS's 300 s default slows every deployment. */
  deregistrationDelaySeconds: z.number().int().min(0).max(3600),
  enableDeletionProtection: z.boolean(),
  /**
   * HTTPS: the name the environment is served under. With hostedZoneId the stack requests an ACM
   * certificate, validates it through that zone and points the name at the load balancer; with
   * certificateArn it uses that certificate (and creates the alias record only with hostedZoneId too).
   */
  domainName: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { message: "must be a lowercase DNS name such as shop.example.com" }),
  /** The Route 53 public hosted zone holding domainName. */
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { message: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" }),
  /** An existing ACM certificate for domainName, in the stack's region. */
  certificateArn: z
    .string()
    .regex(/^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, { message: "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)" }),
  /** With HTTPS: the production listener's port; productionPort then redirects to it. */
  httpsPort: port,
};

/** Defaults of the load balancer settings (domainName, hostedZoneId and certificateArn have none: HTTP only). */
export const LOAD_BALANCER_DEFAULTS = {
  productionPort: 80,
  testPort: 8080,
  allowedCidrs: ["0.0.0.0/0"],
  testAllowedCidrs: ["0.0.0.0/0"],
  healthCheckPath: "/",
  healthCheckMatcher: "200",
  healthCheckIntervalSeconds: 15,
  deregistrationDelaySeconds: 30,
  enableDeletionProtection: false,
  httpsPort: 443,
};

export const loadBalancerSchema = z.strictObject(withDefaults(loadBalancerFields, LOAD_BALANCER_DEFAULTS)).prefault({});
export const loadBalancerOverridesSchema = z.strictObject(allOptional(loadBalancerFields));
/** What one of several services sets of the shared load balancer (`services.<name>.loadBalancer`): its target groups' settings. */
export const targetGroupOverridesSchema = z.strictObject(
  allOptional({
    healthCheckPath: loadBalancerFields.healthCheckPath,
    healthCheckMatcher: loadBalancerFields.healthCheckMatcher,
    healthCheckIntervalSeconds: loadBalancerFields.healthCheckIntervalSeconds,
    deregistrationDelaySeconds: loadBalancerFields.deregistrationDelaySeconds,
  }),
);
export type LoadBalancerSettings = z.output<typeof loadBalancerSchema>;

/** One environment's load balancer as it will be built: HTTPS needs a name and a certificate from the stack's region, and distinct ports. */
export function checkLoadBalancer(lb: LoadBalancerSettings, region: string, at: Array<string | number>, ctx: Issues): void {
  const lbAt = [...at, "loadBalancer"];
  if (lb.hostedZoneId && !lb.domainName) addIssue(ctx, [...lbAt, "hostedZoneId"], "needs loadBalancer.domainName: the name to serve in that zone");
  if (lb.certificateArn && !lb.domainName) {
    addIssue(ctx, [...lbAt, "domainName"], "is required with certificateArn: the name the certificate is for, which the URLs and the smoke test use");
  }
  if (lb.domainName && !lb.certificateArn && !lb.hostedZoneId) {
    addIssue(
      ctx,
      [...lbAt, "hostedZoneId"],
      "is required with domainName unless certificateArn is given: the stack validates the certificate it requests through that zone",
    );
  }
  const certificateRegion = lb.certificateArn?.split(":")[3];
  if (certificateRegion && certificateRegion !== region) {
    addIssue(ctx, [...lbAt, "certificateArn"], `is in ${certificateRegion}, but the stack is in ${region}: a load balancer takes certificates from its own region`);
  }
  if (lb.domainName) {
    for (const [field, value] of [["productionPort", lb.productionPort], ["testPort", lb.testPort]] as const) {
      if (value === lb.httpsPort) addIssue(ctx, [...lbAt, "httpsPort"], `must differ from ${field} (${value})`);
    }
  }
  if (lb.productionPort === lb.testPort) addIssue(ctx, [...lbAt, "testPort"], "must differ from productionPort");
}
