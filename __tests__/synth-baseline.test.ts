import { describe, expect, it } from "vitest";
import { readBaseline, shippedConfigs, synthAll } from "./synth-baseline";

// The refactor's promise (issue 17): every shipped config synthesizes byte for byte what it did before.
// A change that means to alter the JSON re-records the baseline (tsx scripts/record-synth-baseline.ts)
// in the same commit, and says why.
describe("synthesized JSON against the recorded baseline", () => {
  it("records every shipped config", () => {
    expect(Object.keys(readBaseline()).sort()).toEqual(shippedConfigs().sort());
  });

  it("synthesizes every shipped config byte for byte as recorded", () => {
    expect(synthAll()).toEqual(readBaseline());
  }, 120_000);
});
