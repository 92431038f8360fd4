/**
 * client-go's resync-period normalisation for handlers of a shared informer (SI-3).
 */

/** Handler resync periods below this (but above 0) are raised to it: 1 s. */
export const MINIMUM_RESYNC_PERIOD_MS = 1000;

/**
 * The effective resync period of a handler that asked for `desired` ms on an informer whose resync check
 * period is `check` ms: 0 when either is 0, at least `check` otherwise.
 */
export function resyncPeriodFor(desired: number, check: number): number {
  if (desired === 0 || check === 0) return 0;
  return Math.max(desired, check);
}
