// Records, for every shipped config, the SHA-256 of the cdk.tf.json the app writes for it (the build
// machine's working directory replaced by "<cwd>"), so that a refactor can prove its output unchanged.
// Usage: tsx scripts/record-synth-baseline.ts            writes __tests__/fixtures/synth-baseline.json
//        tsx scripts/record-synth-baseline.ts --check    compares instead, naming every config that differs
import { writeFileSync } from "node:fs";
import { BASELINE_PATH, readBaseline, synthAll } from "../__tests__/synth-baseline";

const current = synthAll();
if (process.argv.includes("--check")) {
  const recorded = readBaseline();
  const differing = Object.keys({ ...recorded, ...current }).filter((config) => recorded[config] !== current[config]);
  for (const config of differing) console.log(`differs: ${config}`);
  console.log(`${Object.keys(current).length - differing.length} passed, ${differing.length} failed`);
  process.exit(differing.length ? 1 : 0);
}
writeFileSync(BASELINE_PATH, `${JSON.stringify(current, null, 2)}\n`);
console.log(`recorded ${Object.keys(current).length} configs in ${BASELINE_PATH}`);
