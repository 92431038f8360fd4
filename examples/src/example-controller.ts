/**
 * What every example controller is built from: the informer factory it reads through, the client it writes
 * with, where it reports, and how its ControllerRunner is made (the CLI passes one measured on /metrics).
 */
import { ControllerRunner, type ControllerRunnerOptions, type SharedInformerFactory } from '@kubecache/informers';
import type { KubeClient } from './kube-client.js';

/** The options the example controllers share. */
export interface ExampleControllerOptions {
  /** Informers come from here (and are started by its owner). Required. */
  factory: SharedInformerFactory;
  /** Writes objects. Required. */
  client: KubeClient;
  /** One line per thing done. Default none. */
  log?: (line: string) => void;
  /** Recovered reconcile errors (retried with backoff). Default: the runner's errorReporter. */
  onError?: (key: string, err: unknown) => void;
  /** Builds the controller runner (e.g. one measured on /metrics). Default `new ControllerRunner(options)`. */
  newRunner?: (options: ControllerRunnerOptions) => ControllerRunner;
}

/** The runner `options` asks for: its own `newRunner`, or a plain {@link ControllerRunner}. */
export function runnerOf(options: ExampleControllerOptions, runner: ControllerRunnerOptions): ControllerRunner {
  return options.newRunner ? options.newRunner(runner) : new ControllerRunner(runner);
}
