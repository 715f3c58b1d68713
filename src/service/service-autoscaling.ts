import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { physicalName } from "../core/naming";

export interface AutoScalingSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Average CPU utilisation to hold, percent. */
  readonly targetCpuPercent: number;
}

/**
 * A CPU target-tracking policy that owns the service's task count. Created in the service's own scope
 * (not a construct of its own), so the resources keep the addresses earlier releases gave them.
 */
export function addCpuAutoScaling(
  scope: Construct,
  props: { namePrefix: string; cluster: EcsCluster; service: EcsService; settings: AutoScalingSettings },
): void {
  const target = new AppautoscalingTarget(scope, "scaling-target", {
    serviceNamespace: "ecs",
    scalableDimension: "ecs:service:DesiredCount",
    resourceId: `service/${props.cluster.name}/${props.service.name}`,
    minCapacity: props.settings.minCapacity,
    maxCapacity: props.settings.maxCapacity,
  });
  new AppautoscalingPolicy(scope, "scaling-cpu", {
    name: physicalName("scalingPolicy", props.namePrefix, "cpu"),
    policyType: "TargetTrackingScaling",
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: props.settings.targetCpuPercent,
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    },
  });
}
