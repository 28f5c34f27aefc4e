/**
 * Word between this browser's tabs of the page that the saved conversations changed, so every tab's list shows what
 * another one saved, renamed or deleted. Carries no data: a tab that hears it reads the store again.
 */

/** Announces changes to the other tabs and hears theirs. */
export interface TabChannel {
  /** Tells the other tabs (never this one) that the saved conversations changed. */
  announce(): void;
  /** Calls `listener` whenever another tab announces a change. */
  listen(listener: () => void): void;
}

/** A channel over `BroadcastChannel` (same origin only); where the browser has none, tabs just do not hear each other. */
export function broadcastTabChannel(name = 'verbatim-conversations'): TabChannel {
  if (typeof BroadcastChannel === 'undefined') return { announce() {}, listen() {} };
  const channel = new BroadcastChannel(name);
  return {
    announce: () => channel.postMessage('changed'),
    listen: (listener) => channel.addEventListener('message', () => listener()),
  };
}
