/**
 * A ListerWatcher that tells a trace what it is asked and how each request ends (for `--trace`: why a
 * seed is slow to converge).
 */
import type { KubeObject, ListOptions, WatchEvent } from '@kubecache/apimachinery';
import type { ListerWatcher, ListResult } from '@kubecache/cache';
import { type Observable, tap } from 'rxjs';

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  return `${e?.name ?? 'Error'}: ${e?.code ? `${e.code} ` : ''}${String(e?.message ?? err).slice(0, 120)}`;
}

/** Wraps `lw`; `trace` receives one line per list, watch start, watch ERROR event, failure and end. */
export function tracedListerWatcher<T extends KubeObject>(
  lw: ListerWatcher<T>,
  trace: (line: string) => void,
): ListerWatcher<T> {
  let lists = 0;
  let watches = 0;
  return {
    list: async (options: ListOptions, signal?: AbortSignal): Promise<ListResult<T>> => {
      const n = ++lists;
      trace(`list #${n} rv=${JSON.stringify(options.resourceVersion ?? '')}`);
      try {
        const result = await lw.list(options, signal);
        trace(`list #${n} ok: ${result.items.length} items at rv ${result.metadata.resourceVersion}`);
        return result;
      } catch (err) {
        trace(`list #${n} failed: ${describe(err)}`);
        throw err;
      }
    },
    watch: (options: ListOptions): Observable<WatchEvent<T>> => {
      const n = ++watches;
      let events = 0;
      trace(`watch #${n} from rv ${JSON.stringify(options.resourceVersion ?? '')}`);
      return lw.watch(options).pipe(
        tap({
          next: (event) => {
            events++;
            if (event.type === 'ERROR') trace(`watch #${n} ERROR event: ${JSON.stringify(event.object).slice(0, 120)}`);
          },
          error: (err: unknown) => trace(`watch #${n} failed after ${events} events: ${describe(err)}`),
          complete: () => trace(`watch #${n} closed after ${events} events`),
          unsubscribe: () => trace(`watch #${n} dropped by the client after ${events} events`),
        }),
      );
    },
  };
}
