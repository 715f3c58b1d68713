/**
 * How every test tier ends, so a failed CI run can be diagnosed from its record alone: one line per failing
 * check, `FAILED CHECK: <name> — <reason>` (.ci/run repeats them in its last lines), then "N passed, N failed",
 * and the exit code (0 only when nothing failed).
 */
export interface TierCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export const FAILED_CHECK = "FAILED CHECK: ";

/** A reason on one line: the first line that names an error, else the first non-empty one; at most 300 characters. */
export function oneLine(text: string | undefined): string {
  const lines = (text ?? "").split("\n").map((l) => l.replace(/^[│╷╵\s]+/, "").trim()).filter(Boolean);
  const line = lines.find((l) => /^Error: |Error|error:/.test(l)) ?? lines[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

export function endTier(checks: readonly TierCheck[]): never {
  const failing = checks.filter((c) => !c.ok);
  if (failing.length) {
    console.log(`\n${failing.length} failing:`);
    for (const c of failing) console.log(`${FAILED_CHECK}${c.name}${c.detail ? ` — ${oneLine(c.detail)}` : ""}`);
  }
  console.log(`${checks.length - failing.length} passed, ${failing.length} failed`);
  process.exit(failing.length ? 1 : 0);
}
