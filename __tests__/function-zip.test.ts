import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { functionZip } from "../src/release-safety/function-zip";

const MODULE = join(__dirname, "..", "src", "release-safety", "function-zip.ts");
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "function-zip-"));
  dirs.push(dir);
  return dir;
}

/** Writes the same small function source tree into a fresh directory. */
function writeSource(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const SOURCE = {
  "index.mjs": "export const handler = async () => ({ ok: true });\n",
  "lib/util.mjs": "export const x = 1;\n",
  "README.txt": "smoke test\n",
};

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("functionZip", () => {
  it("writes byte-identical zips for identical content, whatever the files' times and the directory", () => {
    const a = writeSource(SOURCE);
    const b = writeSource(SOURCE);
    utimesSync(join(b, "index.mjs"), new Date("2021-06-01T12:00:00Z"), new Date("2021-06-01T12:00:00Z"));
    const out = tempDir();

    const first = functionZip(a, join(out, "a.zip"));
    const second = functionZip(b, join(out, "nested", "b.zip"));

    expect(first.path).toBe(join(out, "a.zip"));
    expect(second.path).toBe(join(out, "nested", "b.zip"));
    const bytesA = readFileSync(first.path);
    expect(readFileSync(second.path).equals(bytesA)).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(first.sha256).toBe(createHash("sha256").update(bytesA).digest("hex"));
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives a different sha256 when one file changes", () => {
    const out = tempDir();
    const before = functionZip(writeSource(SOURCE), join(out, "before.zip"));
    const after = functionZip(writeSource({ ...SOURCE, "lib/util.mjs": "export const x = 2;\n" }), join(out, "after.zip"));
    expect(after.sha256).not.toBe(before.sha256);
  });

  it("lists exactly the source files, by sorted relative name, with their content", () => {
    const zip = functionZip(writeSource(SOURCE), join(tempDir(), "f.zip"));
    const entries = unzipSync(readFileSync(zip.path));
    expect(Object.keys(entries)).toEqual(["README.txt", "index.mjs", "lib/util.mjs"]);
    for (const [name, content] of Object.entries(SOURCE)) {
      expect(Buffer.from(entries[name]).toString("utf8")).toBe(content);
    }
  });

  it("stamps every entry 1980-01-01 00:00, Unix mode 0644, and no extra field", () => {
    const bytes = readFileSync(functionZip(writeSource(SOURCE), join(tempDir(), "f.zip")).path);
    // Walk the central directory (APPNOTE 4.3.12) from the end-of-central-directory record.
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    let at = bytes.readUInt32LE(eocd + 16);
    for (let i = 0; i < bytes.readUInt16LE(eocd + 10); i++) {
      expect(bytes.readUInt32LE(at)).toBe(0x02014b50);
      expect(bytes[at + 5]).toBe(3); // made by: Unix
      expect(bytes.readUInt16LE(at + 12)).toBe(0); // DOS time 00:00:00
      expect(bytes.readUInt16LE(at + 14)).toBe((0 << 9) | (1 << 5) | 1); // DOS date 1980-01-01
      expect(bytes.readUInt16LE(at + 30)).toBe(0); // extra field length
      expect(bytes.readUInt32LE(at + 38) >>> 16).toBe(0o100644); // external attributes: regular file rw-r--r--
      at += 46 + bytes.readUInt16LE(at + 28) + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    }
  });

  it("gives the same bytes in any time zone (DOS times are local time)", () => {
    const source = writeSource(SOURCE);
    const out = tempDir();
    const here = functionZip(source, join(out, "here.zip")).sha256;
    // A worker thread cannot change its time zone: run the function in child processes with TZ set.
    for (const tz of ["Pacific/Kiritimati", "America/Los_Angeles"]) {
      const script = `const { functionZip } = require(${JSON.stringify(MODULE)});
        process.stdout.write(JSON.stringify([new Date(0).getTimezoneOffset(), functionZip(process.argv[1], process.argv[2]).sha256]));`;
      const stdout = execFileSync(process.execPath, ["--import", "tsx", "-e", script, source, join(out, "tz.zip")], {
        env: { ...process.env, TZ: tz },
        encoding: "utf8",
      });
      const [offset, sha256] = JSON.parse(stdout) as [number, string];
      expect(offset, tz).not.toBe(0);
      expect(sha256, tz).toBe(here);
    }
  });

  it("refuses an empty source directory", () => {
    expect(() => functionZip(tempDir(), join(tempDir(), "f.zip"))).toThrow(/no files/);
  });
});
