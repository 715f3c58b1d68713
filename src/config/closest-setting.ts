import { z } from "zod";

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};

/** The schemas a node stands for: itself, its union's and intersection's branches, a reference's target. */
function branches(node: JsonSchema, root: JsonSchema): JsonSchema[] {
  if (node.$ref) {
    const target = root.$defs?.[node.$ref.replace("#/$defs/", "")];
    return target ? branches(target, root) : [];
  }
  const parts = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  return [node, ...parts.flatMap((part) => branches(part, root))];
}

/** What the config's JSON Schema allows at `path` of a settings file: each schema that may apply there. */
function schemasAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): JsonSchema[] {
  const root = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  let nodes = branches(root, root);
  for (const key of path) {
    nodes = nodes.flatMap((node) => {
      const next = node.properties?.[String(key)] ?? (typeof key === "number" || /^\d+$/.test(String(key)) ? node.items : undefined) ??
        (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
      return next ? branches(next, root) : [];
    });
  }
  return nodes;
}

/** The setting names allowed at `path` of a settings file (the object that holds an unknown key). */
export function settingsAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  return [...new Set(schemasAt(schema, path).flatMap((node) => Object.keys(node.properties ?? {})))];
}

/** What may stand at `path`, in words: "a whole number from 1 to 10", "one of ...", "true or false". */
export function allowedAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string | undefined {
  for (const node of schemasAt(schema, path) as Array<JsonSchema & { type?: string; enum?: unknown[]; const?: unknown; minimum?: number; maximum?: number }>) {
    if (node.enum) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}`;
    if (node.type === "boolean") return "true or false";
    if (node.type === "integer" || node.type === "number") {
      const kind = node.type === "integer" ? "a whole number" : "a number";
      const lowest = node.minimum !== undefined && node.minimum > Number.MIN_SAFE_INTEGER ? node.minimum : undefined;
      const highest = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
      if (lowest !== undefined && highest !== undefined) return `${kind} from ${lowest} to ${highest}`;
      if (lowest !== undefined) return `${kind} of at least ${lowest}`;
      if (highest !== undefined) return `${kind} of at most ${highest}`;
      return kind;
    }
  }
  return undefined;
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length];
}

/** The known setting closest to a misspelled one, when one is close enough to be what was meant. */
export function closestSetting(unknown: string, known: readonly string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: distance(unknown, k) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(unknown.length / 3)) ? best.k : undefined;
}
