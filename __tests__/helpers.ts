import { readFileSync } from "node:fs";
import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from "cdktf";
import { ConfigError, loadConfig, parseConfig, StackConfig } from "../src/config";
import { CodePipelineDelivery } from "../src/delivery/codepipeline-delivery";
import { GitHubActionsDelivery } from "../src/delivery/github-actions-delivery";
import { BlueGreenStack } from "../src/stack";
import { BlueGreenDeployment } from "../src/traffic-control/blue-green-deployment";

export const DEFAULT_CONFIG_RAW = JSON.parse(readFileSync("config/default.json", "utf8")) as Record<string, unknown>;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/**
 * The committed default config with `overrides` merged in (objects merge, arrays and scalars replace;
 * `source` replaces whole, since each kind has its own settings).
 */
export function rawConfig(overrides: DeepPartial<Record<string, unknown>> = {}): Record<string, unknown> {
  const { source, ...rest } = overrides as Record<string, unknown>;
  const merged = merge(structuredClone(DEFAULT_CONFIG_RAW), rest) as Record<string, unknown>;
  if (!("source" in overrides)) return merged;
  // `source: undefined` removes it (delivery modes without a pipeline source).
  const { source: _default, ...withoutSource } = merged;
  return source === undefined ? withoutSource : { ...withoutSource, source };
}

export function config(overrides: Record<string, unknown> = {}): StackConfig {
  return parseConfig(rawConfig(overrides));
}

/** The one-line message the default config plus overrides is refused with; fails when it is accepted or fails otherwise. */
export function configErrorFor(overrides: Record<string, unknown>): string {
  return configErrorForRaw(rawConfig(overrides));
}

/** The one-line message exactly this raw config is refused with, nothing merged in. */
export function configErrorForRaw(raw: Record<string, unknown>): string {
  try {
    parseConfig(raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
  throw new Error("config was accepted");
}

export interface Synthesized {
  readonly stack: BlueGreenStack;
  /** Synthesized Terraform JSON, as the cdktf matchers take it. */
  readonly json: string;
  /** The same, parsed. */
  readonly tf: TerraformJson;
  /** The Terraform expression a token stands for, e.g. "${aws_lb.lb_alb_1234.arn}". */
  ref(token: unknown): unknown;
}

export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, any>>>;
  data: Record<string, Record<string, Record<string, any>>>;
  output: Record<string, { value: string; description?: string }>;
  provider: Record<string, any[]>;
  terraform: Record<string, any>;
}

const cache = new Map<string, Synthesized>();

/** Synthesizes the stack for the default config plus overrides (memoized: synth is the slow part). */
export function synth(overrides: Record<string, unknown> = {}): Synthesized {
  return synthConfig(JSON.stringify(overrides), () => config(overrides));
}

/** Synthesizes the stack for exactly this raw config, nothing merged in (memoized). */
export function synthRaw(raw: Record<string, unknown>): Synthesized {
  return synthConfig(`raw:${JSON.stringify(raw)}`, () => parseConfig(raw));
}

/** Synthesizes the stack for a settings file, as `CONFIG=<path> cdktf synth` does (memoized). */
export function synthFile(path: string): Synthesized {
  return synthConfig(`file:${path}`, () => loadConfig({ CONFIG: path }));
}

function synthConfig(key: string, load: () => StackConfig): Synthesized {
  const hit = cache.get(key);
  if (hit) return hit;
  const cfg = load();
  const app = Testing.app();
  const stack = new BlueGreenStack(app, cfg.appName, cfg);
  const json = Testing.synth(stack);
  const result: Synthesized = { stack, json, tf: JSON.parse(json), ref: (token) => resolveToken(stack, token) };
  cache.set(key, result);
  return result;
}

/** All resources of one type, by logical id. */
export function resourcesOf(tf: TerraformJson, type: string): Record<string, any> {
  return tf.resource[type] ?? {};
}

/** The only resource of a type; fails when there are more or none. */
export function onlyResource(tf: TerraformJson, type: string): any {
  const all = Object.values(resourcesOf(tf, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** The policy document data source an expression like "${data.aws_iam_policy_document.x.json}" points at. */
export function policyDocument(tf: TerraformJson, expression: string): { statement: any[] } {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(expression);
  if (!m) throw new Error(`not a policy document reference: ${expression}`);
  return tf.data.aws_iam_policy_document[m[1]] as { statement: any[] };
}

/** Every statement of every inline policy attached to the role with this logical id. */
export function roleStatements(tf: TerraformJson, roleRef: string): any[] {
  return Object.values(resourcesOf(tf, "aws_iam_role_policy"))
    .filter((p) => p.role === roleRef)
    .flatMap((p) => policyDocument(tf, p.policy).statement);
}

function merge(target: unknown, source: unknown): unknown {
  if (!isPlainObject(target) || !isPlainObject(source)) return source;
  for (const [k, v] of Object.entries(source)) {
    target[k] = isPlainObject(v) && isPlainObject(target[k]) ? merge(target[k], v) : v;
  }
  return target;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const resolver = new DefaultTokenResolver(new StringConcat());
function resolveToken(stack: BlueGreenStack, token: unknown): unknown {
  return Tokenization.resolve(token, { scope: stack, resolver, preparing: false });
}

/** The resource block a reference such as "${aws_iam_role.x.id}" points at. */
export function resourceByRef(tf: TerraformJson, reference: unknown): any {
  const m = /^\$\{([a-z0-9_]+)\.([^.]+)\.[a-z_]+\}$/.exec(String(reference));
  if (!m) throw new Error(`not a resource reference: ${String(reference)}`);
  return tf.resource[m[1]][m[2]];
}

/** The stack's CodePipeline delivery; fails for a stack delivered by GitHub Actions. */
export function pipelineOf(stack: BlueGreenStack): CodePipelineDelivery<BlueGreenDeployment> {
  if (stack.delivery.mode !== "codepipeline") throw new Error(`expected CodePipeline delivery, the stack has ${stack.delivery.mode}`);
  return stack.delivery;
}

/** The stack's GitHub Actions delivery; fails for a stack delivered by CodePipeline. */
export function githubActionsOf(stack: BlueGreenStack): GitHubActionsDelivery<BlueGreenDeployment> {
  if (stack.delivery.mode !== "github-actions") throw new Error(`expected GitHub Actions delivery, the stack has ${stack.delivery.mode}`);
  return stack.delivery;
}

/** What a deploy job of the workflow reads as `vars.*`: its GitHub environment's variables over the repository's (GitHub's precedence). @default the last environment's job */
export function deployJobVariables(stack: BlueGreenStack, githubEnvironment?: string): Record<string, string> {
  const delivery = githubActionsOf(stack);
  const environment = githubEnvironment ?? delivery.githubEnvironments[delivery.githubEnvironments.length - 1];
  return { ...delivery.repositoryVariables, ...delivery.environmentVariables[environment] };
}
