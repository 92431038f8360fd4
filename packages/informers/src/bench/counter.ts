/** Counts calls and resolves a promise when the count reaches a target (no closure per event). */
export class Counter {
  n = 0;
  #target = Number.POSITIVE_INFINITY;
  #resolve: (() => void) | undefined;

  tick(): void {
    if (++this.n === this.#target) this.#resolve?.();
  }

  /** Resolves once the count has reached `target`. */
  reach(target: number): Promise<void> {
    if (this.n >= target) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#target = target;
      this.#resolve = resolve;
    });
  }
}
