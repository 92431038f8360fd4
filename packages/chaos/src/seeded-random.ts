/**
 * A small seeded pseudo-random generator (mulberry32), so a chaos run can be replayed from its seed.
 */

/** Numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence. */
export type SeededRandom = () => number;

/**
 * A mulberry32 generator.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // the same first number every time for seed 42
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] drawn from `random`. */
export function between(random: SeededRandom, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of `items` drawn from `random`. */
export function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
