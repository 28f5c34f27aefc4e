/**
 * The banner that says the server cannot be reached. It sits above the question box, where the reader looks
 * when Send stops working, says why in a sentence, and offers to try again now rather than at the end of the
 * backoff. Its message is a live region that stays in the page, so a screen reader announces each change.
 */
import type { SocketState } from './chat-socket.js';

/** Elements of the banner in index.html. */
export interface ConnectionBannerElements {
  /** Shown (`data-state="offline"`) while the server cannot be reached. */
  readonly banner: HTMLElement;
  /** The sentence, a `role="status"` region. */
  readonly message: HTMLElement;
  readonly tryNow: HTMLButtonElement;
}

/** What the banner says while offline: the headline the reader notices, then the reason. */
export function offlineMessage(reason: string): string {
  return `Can't reach the server — reconnecting… ${reason} Your question stays in the box until it is sent.`.replace(/\s+/g, ' ').trim();
}

/** Shows the socket's state; `onTryNow` reconnects at once. */
export class ConnectionBanner {
  constructor(
    private readonly elements: ConnectionBannerElements,
    onTryNow: () => void,
  ) {
    elements.tryNow.addEventListener('click', onTryNow);
    this.show('connecting', '');
  }

  /** Reflects a state change of the socket. */
  show(state: SocketState, reason: string): void {
    const { banner, message, tryNow } = this.elements;
    banner.dataset.state = state;
    tryNow.hidden = state !== 'offline';
    const text = state === 'offline' ? offlineMessage(reason) : '';
    // Only a changed sentence is written, so retries in a row are not announced again and again.
    if (message.textContent !== text) message.textContent = text;
  }
}
