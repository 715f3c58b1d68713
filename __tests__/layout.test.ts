import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

/** Every TypeScript module under src/. */
function modules(dir = "src"): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? modules(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The relative imports of a module, as the files they resolve to (a folder resolves to its index.ts). */
function importedFiles(file: string): string[] {
  const specifiers = [...readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]*)"/g)].map((m) => m[1]);
  return specifiers.map((spec) => {
    const target = resolve(dirname(file), spec);
    for (const candidate of [`${target}.ts`, join(target, "index.ts"), target]) {
      try {
        if (statSync(candidate).isFile()) return relative(process.cwd(), candidate);
      } catch {
        // not this candidate
      }
    }
    throw new Error(`${file}: cannot resolve ${spec}`);
  });
}

/** The composition root: the one module that may wire folders from above them. */
const COMPOSITION_ROOT = join("src", "stack.ts");

describe("the layout of src/", () => {
  it("has no module importing from a folder above its own, except the composition root", () => {
    const upward = modules()
      .filter((file) => file !== COMPOSITION_ROOT)
      .flatMap((file) =>
        importedFiles(file)
          .filter((imported) => {
            const from = dirname(file) + sep;
            const to = dirname(imported) + sep;
            return from !== to && from.startsWith(to);
          })
          .map((imported) => `${file} -> ${imported}`),
      );
    expect(upward).toEqual([]);
  });

  it("keeps every module to about one sitting's reading (at most 260 lines)", () => {
    const long = modules()
      .map((file) => [file, readFileSync(file, "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > 260);
    expect(long).toEqual([]);
  });
});
