/**
 * Ages as kubectl prints them (apimachinery's `duration.HumanDuration`): `45s`, `3m20s`, `2h5m`, `4d5h`, `3y`.
 */

/**
 * Formats `ms` the way the AGE column does.
 *
 * @example
 * humanDuration(200_000); // '3m20s'
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    const years = Math.floor(days / 365);
    return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The age of an object at `now` (ms), or `<unknown>` without a creation time. */
export function ageOf(creationTimestamp: unknown, now: number): string {
  if (typeof creationTimestamp !== 'string' && !(creationTimestamp instanceof Date)) return '<unknown>';
  const t = new Date(creationTimestamp).getTime();
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}
