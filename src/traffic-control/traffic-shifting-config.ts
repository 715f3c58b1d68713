import { Construct } from "constructs";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { physicalName } from "../core/naming";

export interface TrafficShiftingConfigProps {
  /** Prefix of the physical name: the app name, and the environment's. */
  readonly namePrefix: string;
  /** canary: `percent` first, the rest one interval later; linear: `percent` more every interval. */
  readonly type: "canary" | "linear";
  /** 1–99. */
  readonly percent: number;
  /** 1–2880. */
  readonly intervalMinutes: number;
}

/**
 * A CodeDeploy deployment config for ECS that shifts traffic in time-based steps of the given size,
 * for teams whose traffic needs other steps than CodeDeploy's five predefined ECS configs.
 */
export class TrafficShiftingConfig extends Construct {
  readonly config: CodedeployDeploymentConfig;
  /** The name a deployment group refers to. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: TrafficShiftingConfigProps) {
    super(scope, id);
    const step = { interval: props.intervalMinutes, percentage: props.percent };
    this.config = new CodedeployDeploymentConfig(this, "config", {
      // The settings are in the name: a config cannot be updated, so other settings make another config.
      deploymentConfigName: physicalName("deploymentConfig", props.namePrefix, `${props.type}-${props.percent}pct-every-${props.intervalMinutes}min`),
      computePlatform: "ECS",
      trafficRoutingConfig:
        props.type === "canary"
          ? { type: "TimeBasedCanary", timeBasedCanary: step }
          : { type: "TimeBasedLinear", timeBasedLinear: step },
      // The group switches to the new config before the old one, which it still names, is deleted.
      lifecycle: { createBeforeDestroy: true },
    });
    this.name = this.config.deploymentConfigName;
  }
}
