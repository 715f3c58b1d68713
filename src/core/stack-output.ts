import { TerraformOutput, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Declares a root-module output for the construct that owns the value. The output lives at the top of
 * the stack, named `name`, wherever the construct sits: its address is the one a user scripts against
 * (`terraform output <name>`), so it must not move when constructs are regrouped.
 */
export function stackOutput(scope: IConstruct, name: string, value: string, description: string): TerraformOutput {
  return new TerraformOutput(TerraformStack.of(scope), outputName(scope, name), { value, description });
}

const OUTPUT_PREFIX = "ecs-bluegreen:output-prefix";

/**
 * Prefixes the name of every output declared under `scope` (one of several services: `<service>_`), so
 * that constructs declaring their outputs need not know whose they are. Call before adding children.
 */
export function prefixOutputsUnder(scope: IConstruct, prefix: string): void {
  scope.node.setContext(OUTPUT_PREFIX, prefix);
}

function outputName(scope: IConstruct, name: string): string {
  const prefix = scope.node.tryGetContext(OUTPUT_PREFIX);
  return typeof prefix === "string" ? `${prefix}${name}` : name;
}

/** Declares the output unless the stack already has one of that name (which then keeps it). */
export function stackOutputUnlessTaken(scope: IConstruct, name: string, value: string, description: string): TerraformOutput | undefined {
  if (TerraformStack.of(scope).node.tryFindChild(outputName(scope, name))) return undefined;
  return stackOutput(scope, name, value, description);
}
