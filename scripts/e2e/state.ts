import { existsSync, readFileSync } from "node:fs";
import { run, RunResult, tail } from "../lib/tools";

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, any>;
}

/** The managed resources in a stack directory's Terraform state (`terraform show -json`). */
export async function stateResources(stackDir: string, env: NodeJS.ProcessEnv): Promise<StateResource[]> {
  const shown = await run("terraform", ["show", "-json", "-no-color"], { cwd: stackDir, env });
  if (shown.code !== 0) throw new Error(`terraform show failed: ${shown.stderr}`);
  const state = JSON.parse(shown.stdout);
  const resources: StateResource[] = state.values?.root_module?.resources ?? [];
  return resources.filter((r: any) => r.mode === "managed");
}

/**
 * The managed resources of a local state file, read as `terraform show -json` lists them (root module:
 * address, type, attribute values), without starting Terraform and its provider (seconds of CPU each time).
 */
export function localStateResources(stateFile: string): StateResource[] {
  if (!existsSync(stateFile)) return [];
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as {
    resources?: Array<{ module?: string; mode: string; type: string; name: string; instances: Array<{ index_key?: string | number; attributes: Record<string, any> }> }>;
  };
  return (state.resources ?? [])
    .filter((r) => r.mode === "managed" && !r.module)
    .flatMap((r) =>
      r.instances.map((i) => ({ address: `${r.type}.${r.name}${i.index_key === undefined ? "" : `[${JSON.stringify(i.index_key)}]`}`, type: r.type, values: i.attributes })),
    );
}

/** The only state resource of a type matching a predicate; throws naming what is missing. */
export function one(resources: StateResource[], type: string, where: (v: Record<string, any>) => boolean = () => true): Record<string, any> {
  const found = resources.filter((r) => r.type === type && where(r.values));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0].values;
}

/** Resources a failed apply named, with the provider's reason, parsed from its output. */
export function failedResources(output: string): Array<{ address: string; reason: string }> {
  const failures: Array<{ address: string; reason: string }> = [];
  for (const block of output.split(/\n(?=Error: )/)) {
    const reason = /^Error: (.+)$/m.exec(block)?.[1];
    const address = /^\s*with ([\w.-]+),/m.exec(block)?.[1];
    if (reason && address) failures.push({ address, reason: reason.slice(0, 160) });
  }
  return failures;
}

/**
 * `terraform destroy`. A destroy that fails is a failed check (its first error is the result); a second pass
 * then runs only to clean up (so the leftover checks and the next run start from an empty moto), and the note
 * says how it ended. It used to count as a pass when the second one succeeded: moto now and then lost a rule,
 * or carried out a delete the client resent; the launcher's corrections end both, so no retry hides a fault.
 */
export async function destroyStack(stackDir: string, env: NodeJS.ProcessEnv, label: string): Promise<{ result: RunResult; note: string }> {
  const args = ["destroy", "-auto-approve", "-input=false", "-no-color"];
  const first = await run("terraform", args, { cwd: stackDir, env, timeoutSeconds: 900 });
  if (first.code === 0 || first.code === 124) return { result: first, note: "" };
  const reason = /^Error: (.+)$/m.exec(first.stdout + first.stderr)?.[1] ?? `exit ${first.code}`;
  console.error(`\n${label}: destroy failed; a second pass cleans up\n${tail(first, 15)}\n`);
  const second = await run("terraform", args, { cwd: stackDir, env, timeoutSeconds: 900 });
  return { result: first, note: `failed: ${reason}; a second pass (clean-up only) ${second.code === 0 ? "destroyed the rest" : `failed too (exit ${second.code})`}` };
}
