import { readFileSync } from "node:fs";
import { z } from "zod";
import { allowedAt, closestSetting, settingsAt } from "./closest-setting";
import { configSchema } from "./schema";

export { SOURCE_KINDS } from "../delivery/sources/source-config";
export { ECS_DEPLOYMENT_CONFIGS } from "../traffic-control/deployment-config";
export type { ResolvedEnvironment } from "./environments";

/** The validated configuration, every default resolved. */
export type StackConfig = z.infer<typeof configSchema>;
/** What a user writes: every field with a default may be left out. */
export type StackConfigInput = z.input<typeof configSchema>;

/** Thrown for any bad configuration; its message names the field and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Prefix of environment variables that override single settings, e.g. CONFIG__service__desiredCount=2. */
export const ENV_OVERRIDE_PREFIX = "CONFIG__";
export const DEFAULT_CONFIG_PATH = "config/default.json";

/** Validates a raw configuration object; throws ConfigError naming the first bad field. */
export function parseConfig(raw: unknown): StackConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const where = [...issue.path.map(String), issue.keys[0]].join(".");
    const meant = closestSetting(issue.keys[0], settingsAt(configSchema, issue.path));
    const hint = meant ? `did you mean ${[...issue.path.map(String), meant].join(".")}?` : "check the spelling against the README's config reference";
    throw new ConfigError(`Invalid config: ${where}: is not a known setting (${hint})`);
  }
  const field = issue.path.length ? issue.path.map(String).join(".") : "(config)";
  const received = valueAt(raw, issue.path);
  if (received === undefined && issue.code === "invalid_type") {
    throw new ConfigError(`Invalid config: ${field}: is required (${issue.expected})`);
  }
  // A value given where a secret's name belongs may be the secret itself: never echo it.
  const secretLike = issue.path.some((key) => /token|secret|password/i.test(String(key)));
  // A bad key of a map (a service's name) is named by the path already.
  const shown = received === undefined || secretLike || issue.code === "invalid_key" ? "" : ` (got ${JSON.stringify(received)})`;
  // A wrong type says what is allowed there (a range, the values), not only the type zod expected.
  const allowed = issue.code === "invalid_type" ? allowedAt(configSchema, issue.path) : undefined;
  throw new ConfigError(`Invalid config: ${field}: ${allowed ? `must be ${allowed}` : describeIssue(issue)}${shown}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_key") return `is not a valid name: ${issue.issues[0]?.message ?? issue.message}`;
  if (issue.code === "invalid_value") return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "too_small" && issue.origin === "number") return `must be at least ${issue.minimum}`;
  if (issue.code === "too_big" && issue.origin === "number") return `must be at most ${issue.maximum}`;
  if (issue.code === "too_small" && issue.origin === "string") return `must be at least ${issue.minimum} characters`;
  if (issue.code === "too_small" && issue.origin === "array") return `must list at least ${issue.minimum}`;
  return issue.message;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/**
 * Reads the settings file named by CONFIG (default config/default.json), applies CONFIG__a__b=value
 * environment overrides (value parsed as JSON when it parses, else taken as a string) and validates.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const path = env.CONFIG || DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${path} (set CONFIG to a JSON settings file): ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(applyEnvOverrides(raw, env));
}

/** loadConfig for a command: bad input prints its one line to stderr and exits 1, before anything is written. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): StackConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

/**
 * Returns a copy of raw with every CONFIG__path override set; never mutates raw. A path segment that is a
 * number indexes a list (CONFIG__environments__1__name); an index may replace an item or add the next one.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  // By name, numbers as numbers: a list's items in order, and a setting before the fields inside it.
  const overrides = Object.entries(env).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
  for (const [name, value] of overrides) {
    // One underscore would otherwise be ignored without a word: refuse what is plainly meant as an override.
    if (/^CONFIG_[^_]/.test(name) && name.includes("__")) {
      throw new ConfigError(`Environment override ${name}: starts with one underscore; overrides start with ${ENV_OVERRIDE_PREFIX} (two), e.g. ${ENV_OVERRIDE_PREFIX}${name.slice("CONFIG_".length)}`);
    }
    if (!name.startsWith(ENV_OVERRIDE_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_OVERRIDE_PREFIX.length).split("__");
    if (path.some((p) => p === "")) throw new ConfigError(`Environment override ${name}: empty path segment`);
    let node: Record<string, unknown> | unknown[] = copy;
    for (const [i, key] of path.slice(0, -1).entries()) {
      const slot = overrideSlot(name, node, key);
      if (slot.value === undefined) slot.set(/^\d+$/.test(path[i + 1]) ? [] : {});
      const next = slot.get();
      if (typeof next !== "object" || next === null) throw new ConfigError(`Environment override ${name}: ${key} is not an object or a list in the config`);
      node = next as Record<string, unknown> | unknown[];
    }
    const parsed = parseOverrideValue(value);
    const last = overrideSlot(name, node, path[path.length - 1]);
    // null removes the setting (e.g. CONFIG__source=null when switching to GitHub Actions delivery).
    if (parsed === null) last.remove();
    else last.set(parsed);
  }
  return copy;
}

/** One key of an object, or one index of a list (at most one past its end: a list has no gaps). */
function overrideSlot(name: string, node: Record<string, unknown> | unknown[], key: string) {
  if (!Array.isArray(node)) {
    return { value: node[key], get: () => node[key], set: (v: unknown) => (node[key] = v), remove: () => delete node[key] };
  }
  if (!/^\d+$/.test(key)) throw new ConfigError(`Environment override ${name}: ${key} is not an index of a list (0, 1, …)`);
  const index = Number(key);
  if (index > node.length) throw new ConfigError(`Environment override ${name}: index ${index} of a list of ${node.length} would leave a gap (give ${node.length} to add an item)`);
  return { value: node[index], get: () => node[index], set: (v: unknown) => (node[index] = v), remove: () => node.splice(index, 1) };
}

function parseOverrideValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
