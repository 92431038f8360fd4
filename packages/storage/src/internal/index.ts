// Internals of @kubecache/storage shared with the Cacher and other backends. Not a public API: no semver
// promise, and user code should not import it.
export type { ContinuePosition } from '../continue.js';
export { decodeContinue, encodeContinue } from '../continue.js';
export { checkPreconditions, nameRequiredError } from '../errors.js';
export { checkObjectMatchesKey, hasPathPrefix, prepareKey } from '../keys.js';
export type { FilteredEventType } from '../predicate.js';
export { convertFiltered, exactFieldMatch, matchesAttrs, predicateEmpty, safeAttrs } from '../predicate.js';
export { lowerBound, prefixEnd } from '../sorted-keys.js';
export { encodeForStorage, objectResourceVersion } from '../versioner.js';
