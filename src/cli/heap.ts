import v8 from "node:v8";
import vm from "node:vm";

// Past this much live data a run is a large fleet's (the 500 × 4 bench holds ~30 MB after load).
const LARGE = 128 * 1024 * 1024;
let tightened = false;

/**
 * A large run holds its plan for its whole length and makes garbage at a
 * steady rate, and V8's default lets the heap grow to about four times what
 * is live before it collects: at 5,000 apps that was 1.6 GB of memory for
 * 0.3 GB of data. Past LARGE the heap grows by half instead, which kept that
 * run near 0.9 GB at no measured cost in time; a small run keeps the default,
 * under which it is ~0.1 s faster. Called by the commands between stages;
 * the CLI's choice, not the library's (a process embedding sluice keeps its own).
 * V8 applies the factor from its next collection on, and the limit it set at
 * the last one may already be four times the live data: one collection now
 * sets the new limit (about 40 ms at 300 MB live).
 */
export function tightenHeapWhenLarge(): void {
  if (tightened || v8.getHeapStatistics().used_heap_size < LARGE) return;
  tightened = true;
  v8.setFlagsFromString("--heap-growing-percent=50");
  v8.setFlagsFromString("--expose-gc");
  const collect = vm.runInNewContext("gc") as (() => void) | undefined;
  collect?.();
}
