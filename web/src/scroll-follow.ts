/**
 * Keeps the newest answer in view while it streams, the way a reader expects: the conversation follows the
 * answer down as it grows, but never scrolls the start of the answer out of view (a long answer is read from its
 * top), and never moves while the reader has scrolled up to read something else. Whenever there is more below
 * than the reader sees, a "Jump to latest" button offers the way back down.
 */

/** Elements scroll-follow works on. */
export interface ScrollFollowElements {
  /** The scrolling box of the conversation. */
  readonly container: HTMLElement;
  /** What grows inside it (the message list); observed for size changes. */
  readonly content: HTMLElement;
  /** Shown when the bottom of the conversation is out of view; scrolls there. */
  readonly jumpButton: HTMLButtonElement;
  /** Gets the keyboard after the jump button, which hides once used (the question box). */
  readonly focusAfterJump: HTMLElement;
}

/** Pixels from the bottom that still count as "at the bottom" (sub-pixel rounding, a last line half shown). */
const AT_BOTTOM_PX = 24;
/** Space kept above the followed answer when its top is pinned to the top of the view. */
const PIN_MARGIN_PX = 8;
/** A scroll position within this of the one the page set was set by the page, not the reader. */
const OWN_SCROLL_PX = 2;

/** Follows the newest answer; one per conversation view. */
export class ScrollFollow {
  private following = true;
  /** The answer being followed: its top stays in view. */
  private anchor: HTMLElement | null = null;
  /** Where the page last scrolled to, to tell its own scroll events from the reader's. */
  private ownScrollTop: number | null = null;
  /** The view's height when the page last scrolled, to tell a resize's scroll from the reader's. */
  private viewHeight = -1;

  constructor(private readonly elements: ScrollFollowElements) {
    const { container, content, jumpButton } = elements;
    container.addEventListener('scroll', () => this.onScroll(), { passive: true });
    jumpButton.addEventListener('click', () => {
      this.jumpToLatest();
      elements.focusAfterJump.focus({ preventScroll: true });
    });
    const observer = new ResizeObserver(() => this.update());
    observer.observe(container);
    observer.observe(content);
  }

  /** A new answer starts: follow it, since the reader just asked for it. */
  follow(answer: HTMLElement): void {
    this.anchor = answer;
    this.following = true;
    this.update();
  }

  /** True while the page keeps the newest answer in view (false once the reader scrolled away). */
  get isFollowing(): boolean {
    return this.following;
  }

  /** Scrolls to the bottom and follows from there on. */
  jumpToLatest(): void {
    this.anchor = null;
    this.following = true;
    this.scrollTo(this.maxScrollTop());
    this.refreshButton();
  }

  /** Content or the view changed size: scroll along if following, and show or hide the button. */
  update(): void {
    this.viewHeight = this.elements.container.clientHeight;
    if (this.following) {
      let target = this.maxScrollTop();
      if (this.anchor?.isConnected) target = Math.min(target, Math.max(0, this.offsetInContainer(this.anchor) - PIN_MARGIN_PX));
      this.scrollTo(target);
    }
    this.refreshButton();
  }

  private onScroll(): void {
    const { scrollTop, clientHeight } = this.elements.container;
    if (this.ownScrollTop !== null && Math.abs(scrollTop - this.ownScrollTop) <= OWN_SCROLL_PX) {
      this.refreshButton();
      return;
    }
    if (clientHeight !== this.viewHeight) {
      // The view changed size (the question box grew or shrank) and the browser moved the scroll position to fit:
      // not the reader's doing, so keep following as before.
      this.update();
      return;
    }
    this.ownScrollTop = null;
    // The reader moved: follow again only once they are back at the bottom, and from then on to the very end.
    this.following = this.isAtBottom();
    if (this.following) this.anchor = null;
    this.refreshButton();
  }

  private scrollTo(top: number): void {
    const { container } = this.elements;
    this.viewHeight = container.clientHeight;
    if (Math.abs(container.scrollTop - top) > OWN_SCROLL_PX) container.scrollTop = top;
    this.ownScrollTop = container.scrollTop;
  }

  private refreshButton(): void {
    this.elements.jumpButton.hidden = this.isAtBottom();
  }

  private isAtBottom(): boolean {
    return this.maxScrollTop() - this.elements.container.scrollTop <= AT_BOTTOM_PX;
  }

  private maxScrollTop(): number {
    const { container } = this.elements;
    return Math.max(0, container.scrollHeight - container.clientHeight);
  }

  private offsetInContainer(node: HTMLElement): number {
    const { container } = this.elements;
    return node.getBoundingClientRect().top - container.getBoundingClientRect().top + container.scrollTop;
  }
}
