import { TerraformResource, TerraformStack, Token } from "cdktf";
// cdktf's own logical-id algorithm (pinned cdktf 0.21.0): the address an earlier release gave a resource.
import { makeUniqueId } from "cdktf/lib/private/unique";

/**
 * A construct id for a resource made from one list item, derived from the item's value (an address, a
 * CIDR), so that removing or reordering items leaves the others' addresses alone. A value only known at
 * apply time (a token) keeps its position, which then is its identity (a NAT gateway's zone).
 */
export function itemId(prefix: string, value: string, position: number): string {
  return `${prefix}-${Token.isUnresolved(value) ? position : value.replace(/\//g, "-")}`;
}

/**
 * Declares that `resource` was the child `formerId` of the same scope in an earlier release: a `moved`
 * block, so that upgrading re-addresses the resource in the state instead of replacing it. Terraform
 * ignores the block once nothing is left at the former address.
 */
export function movedFromFormerId(resource: TerraformResource, formerId: string): void {
  const scopes = resource.node.scopes;
  const components = scopes.slice(scopes.indexOf(TerraformStack.of(resource)) + 1, -1).map((scope) => scope.node.id);
  resource.moveFromId(`${resource.terraformResourceType}.${makeUniqueId([...components, formerId])}`);
}

/** One resource per list item, keyed by value, each moved from the positional address releases before 2026-12 gave it. */
export function perItem<R extends TerraformResource>(
  items: readonly string[],
  prefix: string,
  create: (id: string, item: string) => R,
): R[] {
  return items.map((item, position) => {
    const id = itemId(prefix, item, position);
    const resource = create(id, item);
    if (id !== `${prefix}-${position}`) movedFromFormerId(resource, `${prefix}-${position}`);
    return resource;
  });
}
