// Internals of @kubecache/cache shared with the sibling kubecache packages. Not a public API: no semver
// promise, and user code should not import it.

export { Ring } from '../ring.js';
export { DEFAULT_SLICE_MS, runSliced } from '../sliced-work.js';
export type { BenchResult } from './bench-harness.js';
export { bench, benchAsync, report, writeBenchJson } from './bench-harness.js';
