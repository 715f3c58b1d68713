import { Construct } from "constructs";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { physicalName } from "../core/naming";
import { SERVICE_DEFAULTS, ServiceSettings } from "./service-config";

/** An ECS cluster with Container Insights as configured (@default SERVICE_DEFAULTS.containerInsights). */
export function serviceCluster(scope: Construct, id: string, name: string, containerInsights?: ServiceSettings["containerInsights"]): EcsCluster {
  return new EcsCluster(scope, id, {
    name: physicalName("ecsCluster", name),
    setting: [{ name: "containerInsights", value: containerInsights ?? SERVICE_DEFAULTS.containerInsights }],
  });
}
