import { z } from "zod";
import { addIssue, allOptional, Issues, minutes, withDefaults } from "../core/schema-fields";
import {
  releaseAlarmCount,
  releaseAlarmsOverridesSchema,
  releaseAlarmsSchema,
  smokeTestOverridesSchema,
  smokeTestSchema,
} from "../release-safety/release-safety-config";

/** CodeDeploy's predefined ECS deployment configurations (AWS has no others without a custom config). */
export const ECS_DEPLOYMENT_CONFIGS = [
  "CodeDeployDefault.ECSAllAtOnce",
  "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
  "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
  "CodeDeployDefault.ECSCanary10Percent5Minutes",
  "CodeDeployDefault.ECSCanary10Percent15Minutes",
] as const;

/** The ECS lifecycle events a Lambda hook can run at, in the order CodeDeploy runs them. */
export const ECS_LIFECYCLE_EVENTS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"] as const;
export type EcsLifecycleEvent = (typeof ECS_LIFECYCLE_EVENTS)[number];

/** CodeDeploy watches at most 10 alarms per deployment group. */
export const MAX_DEPLOYMENT_GROUP_ALARMS = 10;
/** CodeDeploy's limit for a time-based canary or linear interval (minutes). */
export const MAX_TRAFFIC_SHIFT_INTERVAL_MINUTES = 2880;

const lambdaFunctionRef = z.string().regex(/^(arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[\w-]{1,64}(:(\$LATEST|[\w-]{1,128}))?$/, {
  message: "must be a Lambda function name (optionally name:alias) or a function ARN",
});

const trafficShifting = z.strictObject({
  /** canary: percent first, the rest after the interval; linear: percent more every interval. */
  type: z.enum(["canary", "linear"]),
  percent: z.number().int().min(1).max(99),
  intervalMinutes: z.number().int().min(1).max(MAX_TRAFFIC_SHIFT_INTERVAL_MINUTES),
});

const deploymentFields = {
  deploymentConfigName: z.enum(ECS_DEPLOYMENT_CONFIGS),
  /** A custom canary or linear shift (the stack creates the deployment config); replaces deploymentConfigName. */
  trafficShifting,
  /** automatic: reroute as soon as the green tasks are healthy; manual: wait for a person (test listener for QA). */
  trafficReroute: z.enum(["automatic", "manual"]),
  /** With manual reroute: minutes to wait before the deployment stops. */
  rerouteWaitMinutes: minutes(4320),
  /** Minutes the blue tasks keep running after a successful reroute (a quick rollback window). */
  terminationWaitMinutes: minutes(2880),
};

const userAlarmAndHookFields = {
  /** The user's own CloudWatch alarms (names, in the stack's region) that also stop and roll back a deployment. */
  alarmNames: z.array(z.string().min(1).max(255)),
  /** Existing Lambda functions CodeDeploy invokes at lifecycle events, e.g. { "BeforeAllowTraffic": "my-check" }. */
  hooks: z.record(z.string(), lambdaFunctionRef).superRefine((hooks, ctx) => {
    for (const event of Object.keys(hooks)) {
      if (!(ECS_LIFECYCLE_EVENTS as readonly string[]).includes(event)) {
        ctx.addIssue({ code: "custom", path: [event], message: `is not an ECS lifecycle event; allowed: ${ECS_LIFECYCLE_EVENTS.join(", ")}` });
      }
    }
  }),
};

/** Defaults of the `deployment` section (trafficShifting has none: a predefined config); smokeTest and alarms have their own. */
export const DEPLOYMENT_DEFAULTS = {
  deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce" as const,
  trafficReroute: "automatic" as const,
  rerouteWaitMinutes: 60,
  terminationWaitMinutes: 5,
  alarmNames: [] as string[],
  hooks: {} as Record<string, string>,
};

export const deploymentSchema = z
  .strictObject({
    ...withDefaults(deploymentFields, DEPLOYMENT_DEFAULTS),
    smokeTest: smokeTestSchema,
    alarms: releaseAlarmsSchema,
    ...withDefaults(userAlarmAndHookFields, DEPLOYMENT_DEFAULTS),
  })
  .prefault({});
/** An environment's deployment overrides: a group of settings (smokeTest, alarms) is overridden field by field. */
export const deploymentOverridesSchema = z.strictObject({
  ...allOptional(deploymentFields),
  smokeTest: smokeTestOverridesSchema.optional(),
  alarms: releaseAlarmsOverridesSchema.optional(),
  ...allOptional(userAlarmAndHookFields),
});
export type DeploymentSettings = z.output<typeof deploymentSchema>;

/** How many alarms a deployment group watches: each built-in alarm on both target groups, and the user's. */
export function deploymentAlarmCount(deployment: DeploymentSettings): number {
  return releaseAlarmCount(deployment.alarms) + deployment.alarmNames.length;
}

/** One environment's deployment as it will be built: one function per lifecycle event, and no more alarms than CodeDeploy watches. */
export function checkDeployment(deployment: DeploymentSettings, at: Array<string | number>, ctx: Issues): void {
  if (deployment.smokeTest.enabled && deployment.hooks.AfterAllowTestTraffic) {
    addIssue(
      ctx,
      [...at, "deployment", "hooks", "AfterAllowTestTraffic"],
      "is taken by the smoke test (CodeDeploy runs one function per event): use BeforeAllowTraffic, or set deployment.smokeTest.enabled to false",
    );
  }
  const alarmCount = deploymentAlarmCount(deployment);
  if (alarmCount > MAX_DEPLOYMENT_GROUP_ALARMS) {
    addIssue(
      ctx,
      [...at, "deployment", "alarmNames"],
      `makes ${alarmCount} alarms with the built-in ones (2 per enabled alarm, one per target group); CodeDeploy watches at most ${MAX_DEPLOYMENT_GROUP_ALARMS}`,
    );
  }
}
