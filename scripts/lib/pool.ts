import { availableParallelism } from "node:os";

/**
 * How many independent moto stacks run side by side: E2E_CONCURRENCY, else one more than the cores (an
 * apply on moto mostly waits on the provider's polling, about a third of a core per stack).
 */
export function concurrency(): number {
  const wanted = Number(process.env.E2E_CONCURRENCY ?? availableParallelism() + 1);
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`E2E_CONCURRENCY must be a whole number of at least 1, got ${process.env.E2E_CONCURRENCY}`);
  return wanted;
}

/** Runs `work` for every item, at most `limit` at once; results keep the items' order. */
export async function inPool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
