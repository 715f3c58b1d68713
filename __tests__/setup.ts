import { expect } from "vitest";
import { testingMatchers } from "cdktf";

type Constructor = { tfResourceType: string };

const toHaveResourceWithProperties = testingMatchers.getToHaveResourceWithProperties();
const toHaveDataSourceWithProperties = testingMatchers.getToHaveDataSourceWithProperties();
const toHaveProviderWithProperties = testingMatchers.getToHaveProviderWithProperties();

// cdktf ships its matchers for Jest; these adapt the same assertion functions to vitest.
expect.extend({
  toHaveResourceWithProperties(received: string, type: Constructor, properties: Record<string, unknown> = {}) {
    const r = toHaveResourceWithProperties(received, type as never, properties);
    return { pass: r.pass, message: () => r.message };
  },
  toHaveResource(received: string, type: Constructor) {
    const r = toHaveResourceWithProperties(received, type as never, {});
    return { pass: r.pass, message: () => r.message };
  },
  toHaveDataSourceWithProperties(received: string, type: Constructor, properties: Record<string, unknown> = {}) {
    const r = toHaveDataSourceWithProperties(received, type as never, properties);
    return { pass: r.pass, message: () => r.message };
  },
  toHaveProviderWithProperties(received: string, type: Constructor, properties: Record<string, unknown> = {}) {
    const r = toHaveProviderWithProperties(received, type as never, properties);
    return { pass: r.pass, message: () => r.message };
  },
});

interface CdktfMatchers<R = unknown> {
  toHaveResourceWithProperties(type: Constructor, properties?: Record<string, unknown>): R;
  toHaveResource(type: Constructor): R;
  toHaveDataSourceWithProperties(type: Constructor, properties?: Record<string, unknown>): R;
  toHaveProviderWithProperties(type: Constructor, properties?: Record<string, unknown>): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends CdktfMatchers<T> {}
}
