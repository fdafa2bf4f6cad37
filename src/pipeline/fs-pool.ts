/**
 * Runs `task` over `items` with a bounded number of file operations in
 * flight: on a slow disk, overlapping them is several times faster than one
 * at a time. Results keep the order of `items`. Stops taking new items after
 * the first failure, and waits for those in flight before rejecting, so a
 * caller that rolls back never races a late write.
 */
export async function pool<T, R>(items: readonly T[], task: (item: T, index: number) => Promise<R>, width = 32): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(width, items.length) }, worker));
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (rejected) throw rejected.reason;
  return results;
}
