import { TerraformOutput, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Declares a root-module output for the construct that owns the value. The output lives at the top of
 * the stack, named `name`, wherever the construct sits: its address is the one a user scripts against
 * (`terraform output <name>`), so it must not move when constructs are regrouped.
 */
export function stackOutput(scope: IConstruct, name: string, value: string, description: string): TerraformOutput {
  return new TerraformOutput(TerraformStack.of(scope), name, { value, description });
}

/** Declares the output unless the stack already has one of that name (which then keeps it). */
export function stackOutputUnlessTaken(scope: IConstruct, name: string, value: string, description: string): TerraformOutput | undefined {
  if (TerraformStack.of(scope).node.tryFindChild(name)) return undefined;
  return stackOutput(scope, name, value, description);
}
