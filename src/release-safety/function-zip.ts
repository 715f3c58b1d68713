import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { zipSync, type Zippable, type ZipOptions } from "fflate";

/**
 * Every entry gets the same attributes, so the zip's bytes depend on the files' names and content only:
 * DOS time 1980-01-01 00:00 (the format's epoch; built from local date parts because the DOS fields are
 * local time, so the bytes are the same in every time zone), Unix regular file rw-r--r--, no extra
 * fields, no comment, fixed compression level.
 */
function entryOptions(): ZipOptions {
  // A new Date each call: its local parts must be read in the time zone in force when fflate reads them.
  return { level: 9, mtime: new Date(1980, 0, 1, 0, 0, 0), os: 3, attrs: 0o100644 * 0x10000 };
}

/** Relative POSIX names of the regular files under `dir`, sorted; throws on anything else (symlink, socket...). */
function listFiles(dir: string, prefix = ""): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...listFiles(dir, name));
    else if (entry.isFile()) names.push(name);
    else throw new Error(`functionZip: ${join(dir, name)} is neither a regular file nor a directory`);
  }
  return names.sort();
}

/**
 * Zips the files under `sourceDir` (relative names, no directory entries) into `outFile`, byte-identical
 * for identical content, so a re-synth of an unchanged function changes no hash and so updates nothing.
 * `sha256` is hex; Terraform's `source_code_hash` convention is base64 (`Buffer.from(sha256, "hex").toString("base64")`).
 *
 * Entries are added in sorted order; JavaScript objects (fflate's input) put integer-like keys first, so a
 * top-level file named like "7" would come first: still deterministic, only not alphabetical.
 */
export function functionZip(sourceDir: string, outFile: string): { path: string; sha256: string } {
  const files = listFiles(sourceDir);
  if (files.length === 0) throw new Error(`functionZip: no files under ${sourceDir}`);
  const options = entryOptions();
  const entries: Zippable = {};
  for (const name of files) entries[name] = [readFileSync(join(sourceDir, name)), options];
  const zip = zipSync(entries, options);
  const path = resolve(outFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, zip);
  return { path, sha256: createHash("sha256").update(zip).digest("hex") };
}
