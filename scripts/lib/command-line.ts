import { parseArgs, ParseArgsConfig } from "node:util";

/** What a script says about itself: `--help` prints it; a wrong argument names it. */
export interface CommandSpec {
  /** The script's npm name, e.g. "github-variables". */
  readonly name: string;
  /** One line: what it does. */
  readonly summary: string;
  /** The usage line after `npm run -s <name> --`, e.g. "[outputs.json] [--service <name>]". */
  readonly usage: string;
  /** Each option as given to node's parseArgs, with a description. */
  readonly options?: Record<string, NonNullable<ParseArgsConfig["options"]>[string] & { readonly description: string }>;
  /** How many positional arguments it takes at most. @default 0 */
  readonly maxPositionals?: number;
  /** Example command lines. */
  readonly examples: readonly string[];
}

export function helpText(spec: CommandSpec): string {
  const options = Object.entries(spec.options ?? {}).map(([name, o]) => `  --${name}${o.type === "string" ? " <value>" : ""}`.padEnd(28) + o.description);
  return [
    `${spec.name}: ${spec.summary}`,
    "",
    `usage: npm run -s ${spec.name} -- ${spec.usage}`.trimEnd(),
    "",
    "options:",
    ...options,
    `${"  --help".padEnd(28)}this text`,
    "",
    "examples:",
    ...spec.examples.map((e) => `  ${e}`),
  ].join("\n");
}

/**
 * The script's arguments, by node's parseArgs (strict). `--help` prints the help and exits 0; an unknown
 * option, a missing value or too many arguments prints one line naming it and exits 2.
 */
export function commandLine(spec: CommandSpec, args = process.argv.slice(2)): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(helpText(spec));
    process.exit(0);
  }
  try {
    const parsed = parseArgs({ args, options: spec.options ?? {}, allowPositionals: true, strict: true });
    const max = spec.maxPositionals ?? 0;
    if (parsed.positionals.length > max) {
      throw new Error(max === 0 ? `takes no argument, got "${parsed.positionals[0]}"` : `takes at most ${max} argument${max > 1 ? "s" : ""}, got ${parsed.positionals.length}`);
    }
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (err) {
    console.error(`${spec.name}: ${(err as Error).message.split("\n")[0]} (see npm run -s ${spec.name} -- --help)`);
    process.exit(2);
  }
}
