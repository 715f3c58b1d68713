/**
 * What the scripts that run the cdktf CLI share: how it is run without a terminal, and how a stack's
 * outputs are printed.
 */

/**
 * The cdktf CLI's environment: off a terminal (a log file, CI), `CI=true`, so that its renderer prints each
 * step once instead of every frame of its spinner (thousands of lines in a log). A CI variable the caller
 * set is kept.
 */
export function cdktfEnvironment(env: NodeJS.ProcessEnv, onTerminal: boolean): NodeJS.ProcessEnv {
  return onTerminal || env.CI !== undefined ? env : { ...env, CI: "true" };
}

/** `terraform output -json` as `name = value` lines: maps and lists as JSON, sensitive values hidden. */
export function outputLines(outputs: Record<string, { readonly value: unknown; readonly sensitive?: boolean }>): string[] {
  return Object.entries(outputs).map(([name, { value, sensitive }]) => {
    const shown = sensitive ? "(sensitive: terraform output " + name + ")" : typeof value === "string" ? value : JSON.stringify(value);
    return `${name} = ${shown}`;
  });
}
