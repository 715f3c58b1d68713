import { Fn } from "cdktf";
import { LifecycleHook } from "./traffic-control";

/**
 * The AppSpec's `Hooks:` line for these lifecycle hooks, in YAML flow style (which is JSON): what the
 * application repository's AppSpec template puts after its `Resources` (CodeDeploy reads hooks from the
 * AppSpec only). Empty without hooks.
 */
export function appSpecHooksLine(hooks: ReadonlyArray<LifecycleHook>): string {
  return hooks.length ? `Hooks: ${Fn.jsonencode(hooks.map((hook) => ({ [hook.event]: hook.functionName })))}` : "";
}
