/** Resolves with the first SIGINT or SIGTERM; a second one calls `onSecond` (a forced exit). */
export function shutdownRequested(onSecond: () => void): { readonly promise: Promise<NodeJS.Signals>; dispose(): void } {
  let seen = false;
  let resolve!: (signal: NodeJS.Signals) => void;
  const promise = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals) => {
    if (seen) return onSecond();
    seen = true;
    resolve(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
