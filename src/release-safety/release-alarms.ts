import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { BlueGreenTargets } from "../network/load-balancer";
import { physicalName } from "../core/naming";
import { RELEASE_ALARM_DEFAULTS } from "./release-safety-config";

export interface ReleaseAlarmsProps {
  /** Prefix of every physical name: the app name, and the environment's. */
  readonly namePrefix: string;
  readonly loadBalancer: BlueGreenTargets;
  /** Seconds per evaluated period (10, 30 or a multiple of 60). @default RELEASE_ALARM_DEFAULTS.periodSeconds */
  readonly periodSeconds?: number;
  /** Consecutive breaching periods before an alarm fires. @default RELEASE_ALARM_DEFAULTS.evaluationPeriods */
  readonly evaluationPeriods?: number;
  /** Target 5xx responses per period at or above which the alarm fires; false: no such alarm. @default RELEASE_ALARM_DEFAULTS.target5xxCount */
  readonly target5xxCount?: number | false;
  /** Unhealthy targets at or above which the alarm fires; false: no such alarm. @default RELEASE_ALARM_DEFAULTS.unhealthyHosts */
  readonly unhealthyHosts?: number | false;
  /** Response time (s) at `responseTimePercentile` above which the alarm fires; false: no such alarm. @default RELEASE_ALARM_DEFAULTS.responseTimeSeconds */
  readonly responseTimeSeconds?: number | false;
  /** @default RELEASE_ALARM_DEFAULTS.responseTimePercentile */
  readonly responseTimePercentile?: string;
}

/**
 * CloudWatch alarms on what a bad release shows — target 5xx responses, unhealthy targets, slow
 * responses — on both target groups, since either one holds the new version after a swap. A deployment
 * group watching them stops and rolls back when one fires.
 */
export class ReleaseAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: ReleaseAlarmsProps) {
    super(scope, id);
    const lb = props.loadBalancer;
    const period = props.periodSeconds ?? RELEASE_ALARM_DEFAULTS.periodSeconds;
    const evaluationPeriods = props.evaluationPeriods ?? RELEASE_ALARM_DEFAULTS.evaluationPeriods;
    const target5xx = props.target5xxCount ?? RELEASE_ALARM_DEFAULTS.target5xxCount;
    const unhealthy = props.unhealthyHosts ?? RELEASE_ALARM_DEFAULTS.unhealthyHosts;
    const responseTime = props.responseTimeSeconds ?? RELEASE_ALARM_DEFAULTS.responseTimeSeconds;
    const percentile = props.responseTimePercentile ?? RELEASE_ALARM_DEFAULTS.responseTimePercentile;

    for (const [color, targetGroup] of [["blue", lb.blueTargetGroup], ["green", lb.greenTargetGroup]] as const) {
      const alarm = (what: string, settings: Partial<ConstructorParameters<typeof CloudwatchMetricAlarm>[2]>) => {
        this.alarms.push(
          new CloudwatchMetricAlarm(this, `${color}-${what}`, {
            alarmName: physicalName("cloudwatchAlarm", props.namePrefix, `${color}-${what}`),
            namespace: "AWS/ApplicationELB",
            dimensions: { LoadBalancer: lb.loadBalancer.arnSuffix, TargetGroup: targetGroup.arnSuffix },
            period,
            evaluationPeriods,
            // No requests, or no targets in the idle group, is not a failed release.
            treatMissingData: "notBreaching",
            metricName: "",
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: 0,
            ...settings,
          }),
        );
      };
      if (target5xx !== false) {
        alarm("5xx", {
          alarmDescription: `Targets of the ${color} group answer 5xx (at least ${target5xx} per ${period} s): stops and rolls back a deployment`,
          metricName: "HTTPCode_Target_5XX_Count",
          statistic: "Sum",
          threshold: target5xx,
        });
      }
      if (unhealthy !== false) {
        alarm("unhealthy", {
          alarmDescription: `At least ${unhealthy} unhealthy target(s) in the ${color} group: stops and rolls back a deployment`,
          metricName: "UnHealthyHostCount",
          statistic: "Maximum",
          threshold: unhealthy,
        });
      }
      if (responseTime !== false) {
        alarm("latency", {
          alarmDescription: `${percentile} response time of the ${color} group above ${responseTime} s: stops and rolls back a deployment`,
          metricName: "TargetResponseTime",
          extendedStatistic: percentile,
          comparisonOperator: "GreaterThanThreshold",
          threshold: responseTime,
        });
      }
    }
  }

  get alarmNames(): string[] {
    return this.alarms.map((a) => a.alarmName);
  }
}
