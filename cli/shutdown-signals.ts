/** What a serving command learns from SIGINT and SIGTERM. */
export interface ShutdownRequest {
  /** Resolves with the first SIGINT or SIGTERM: close cleanly. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** Aborted by that first signal, to stop a start-up still in progress (an ingest leaves the previous index as it was). */
  readonly signal: AbortSignal;
  /** Stops listening. */
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM: the first asks the command to stop, a second one exits at once with status 130. */
export function shutdownRequested(): ShutdownRequest {
  const controller = new AbortController();
  let resolve!: (signal: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write('forced exit\n');
      process.exit(130);
    }
    controller.abort();
    resolve(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signalled,
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
