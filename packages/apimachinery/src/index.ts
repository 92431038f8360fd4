// Public API of @kubecache/apimachinery: an allow-list of named exports, grouped by concept.

// --- objects and list options
export type { Immutable, Wire } from './immutable.js';
export { produce } from './immutable.js';
export type { ListOptions, ResourceVersionMatch } from './list-options.js';
export type { KubeList, KubeObject, ListMeta, ObjectMeta, OwnerReference } from './object.js';
export { resourceVersionOf } from './object.js';

// --- Status errors
export type { Status, StatusCause, StatusDetails, StatusReason } from './status.js';
export {
  alreadyExistsError,
  badRequestError,
  conflictError,
  expiredError,
  failureStatus,
  internalError,
  isResourceExpired,
  isStatus,
  isStatusCode,
  notFoundError,
  StatusError,
  timeoutError,
  tooManyRequestsError,
} from './status.js';

// --- watch events
export type { WatchErrorEvent, WatchEvent, WatchEventType, WatchObjectEvent } from './watch.js';
export { INITIAL_EVENTS_END_ANNOTATION, isInitialEventsEndBookmark, isWatchEventType } from './watch.js';

// --- error reports
export type { ErrorReport, ErrorReporterOptions, Logger } from './error-reporter.js';
export { describeError, errorReporter } from './error-reporter.js';

// --- time and frozen objects
export type { Clock, TimerHandle } from './clock.js';
export { MAX_TIMER_DELAY_MS, RealClock, realClock } from './clock.js';
export { deepFreeze } from './freeze.js';
export { freezeSharing, shareUnchanged } from './share-unchanged.js';

// --- selectors and validation
export { fieldSetFor, matchesFieldSelector, supportedFields, validateFieldSelector } from './selectors/field-sets.js';
export type { FieldOperator, FieldRequirement, Fields, FieldSelector, FieldTransform } from './selectors/fields.js';
export {
  escapeFieldValue,
  fieldSelectorEverything,
  fieldSelectorFromRequirements,
  fieldSelectorFromSet,
  fieldSelectorOneTermEqual,
  parseFieldSelector,
  unescapeFieldValue,
} from './selectors/fields.js';
export type { LabelOperator, Labels } from './selectors/label-requirement.js';
export { LabelRequirement, newLabelRequirement } from './selectors/label-requirement.js';
export type {
  LabelSelector,
  LabelSelectorObject,
  LabelSelectorRequirementObject,
} from './selectors/labels.js';
export {
  labelSelectorEverything,
  labelSelectorFromObject,
  labelSelectorFromRequirements,
  labelSelectorFromSet,
  labelSelectorNothing,
  parseLabelSelector,
} from './selectors/labels.js';
export type { SelectorErrorKind, SelectorErrorOptions } from './selectors/selector-error.js';
export { SelectorError } from './selectors/selector-error.js';
export { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './selectors/validation.js';
