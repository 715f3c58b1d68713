import { z } from "zod";
import { absolutePath, allOptional, withDefaults } from "../core/schema-fields";

const smokeTestFields = {
  /** Request the test listener at AfterAllowTestTraffic and fail the deployment (so it rolls back) on a wrong answer. */
  enabled: z.boolean(),
  /** Paths requested; default: the health-check path. */
  paths: z.array(absolutePath).min(1).max(20),
  /** Expected status codes, as an ALB matcher ("200", "200-399"); default: the health-check matcher. */
  expectedStatus: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, { message: 'must be codes or ranges such as "200" or "200-399"' }),
  /** Seconds for all requests, retries and backoff together; the function's timeout is this plus 30. */
  timeBudgetSeconds: z.number().int().min(5).max(600),
  /** Tries per path before it counts as failed. */
  attempts: z.number().int().min(1).max(10),
  /** X-Ray active tracing of the function's runs (CKV_AWS_50). */
  tracing: z.boolean(),
};

/** Defaults of `deployment.smokeTest` (paths and expectedStatus default to the health check's). */
export const SMOKE_TEST_DEFAULTS = { enabled: true, timeBudgetSeconds: 60, attempts: 3, tracing: true };

/** A threshold, or false to leave that alarm out. */
const threshold = (min: number, max: number) => z.union([z.literal(false), z.number().min(min).max(max)]);

const releaseAlarmFields = {
  /** Alarms on both target groups that stop and roll back a deployment when they fire. */
  enabled: z.boolean(),
  /** Seconds per evaluated period. */
  periodSeconds: z.union([z.literal(10), z.literal(30), z.number().int().min(60).max(86400).multipleOf(60)]),
  /** Consecutive breaching periods before an alarm fires. */
  evaluationPeriods: z.number().int().min(1).max(10),
  /** Target 5xx responses per period (sum) at or above which the alarm fires. */
  target5xxCount: threshold(1, 1_000_000),
  /** Unhealthy targets (maximum in a period) at or above which the alarm fires. */
  unhealthyHosts: threshold(1, 1000),
  /** Target response time (seconds, at responseTimePercentile) above which the alarm fires. */
  responseTimeSeconds: threshold(0.001, 3600),
  responseTimePercentile: z.string().regex(/^p(\d{1,2}(\.\d{1,2})?|100)$/, { message: 'must be a percentile such as "p99" or "p99.9"' }),
};

/** Defaults of `deployment.alarms`. */
export const RELEASE_ALARM_DEFAULTS = {
  enabled: true,
  periodSeconds: 60,
  evaluationPeriods: 2,
  target5xxCount: 5,
  unhealthyHosts: 1,
  responseTimeSeconds: 2,
  responseTimePercentile: "p99",
};

export const smokeTestSchema = z.strictObject(withDefaults(smokeTestFields, SMOKE_TEST_DEFAULTS)).prefault({});
export const smokeTestOverridesSchema = z.strictObject(allOptional(smokeTestFields));
export const releaseAlarmsSchema = z.strictObject(withDefaults(releaseAlarmFields, RELEASE_ALARM_DEFAULTS)).prefault({});
export const releaseAlarmsOverridesSchema = z.strictObject(allOptional(releaseAlarmFields));
export type SmokeTestSettings = z.output<typeof smokeTestSchema>;
export type ReleaseAlarmSettings = z.output<typeof releaseAlarmsSchema>;

/** How many CloudWatch alarms these settings create on one environment: each enabled alarm on both target groups. */
export function releaseAlarmCount(alarms: ReleaseAlarmSettings): number {
  return alarms.enabled ? [alarms.target5xxCount, alarms.unhealthyHosts, alarms.responseTimeSeconds].filter((t) => t !== false).length * 2 : 0;
}

/** The `notifications` section: who hears of releases. */
export const notificationsSchema = z
  .strictObject({
    /** Addresses subscribed to the release topic (each confirms once). */
    emails: z.array(z.email()).default([]),
  })
  .prefault({});
