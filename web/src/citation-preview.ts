import type { ApiClient } from './api-client.js';
import type { DocumentTitles } from './document-titles.js';
import { el } from './dom.js';
import { checkSpan, type SpanClaim } from './verify-citation.js';

/** Elements of the preview in index.html: a `role="tooltip"` popover. */
export interface CitationPreviewElements {
  readonly tooltip: HTMLElement;
  readonly title: HTMLElement;
  readonly quote: HTMLElement;
  readonly check: HTMLElement;
}

/** Space kept between the preview and its button, and between the preview and the window's edges, in px. */
const GAP = 8;
/** How long the preview stays once the pointer leaves its button, so the pointer can move onto it (WCAG 1.4.13), in ms. */
const HIDE_DELAY_MS = 250;

/**
 * The preview of a citation: its quote, its document's title and the page's own verdict on the quote, shown beside
 * the `[n]` button while the pointer is over it or it has the keyboard focus, and dismissed with Escape. One preview
 * serves every button; the shown button is described by it (`aria-describedby`). It is a manual popover, so it sits
 * above the scrolling conversation and is placed with CSSOM properties, which the page's CSP (no style attributes)
 * allows.
 */
export class CitationPreview {
  private anchor: HTMLElement | null = null;
  /** The button whose preview Escape dismissed; it stays hidden until the pointer or focus leaves and comes back. */
  private dismissed: HTMLElement | null = null;
  private hovered = false;
  private hideTimer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(
    private readonly elements: CitationPreviewElements,
    private readonly api: Pick<ApiClient, 'document'>,
    private readonly titles: DocumentTitles,
  ) {
    const { tooltip } = elements;
    tooltip.addEventListener('pointerenter', () => this.cancelHide());
    tooltip.addEventListener('pointerleave', () => this.scheduleHide());
    // Bubbling at the document runs before the source panel's Escape (on the window): one press, one thing closed.
    document.addEventListener('keydown', (event) => {
      // Escape while composing text (an input method) cancels the composition, nothing else.
      if (event.key !== 'Escape' || event.isComposing || !this.isOpen || event.defaultPrevented) return;
      event.preventDefault();
      // Kept hidden while the pointer or focus stays on the button; gone with the pointer on the preview itself.
      this.dismissed = this.hovered || document.activeElement === this.anchor ? this.anchor : null;
      this.hide();
    });
    // Follows its button as the conversation scrolls or the window changes size.
    document.addEventListener('scroll', () => this.refresh(), { capture: true, passive: true });
    window.addEventListener('resize', () => this.refresh());
  }

  /** Shows `claim()` for `button` on hover and on focus; nothing is shown while `claim()` is undefined (not yet known). */
  attach(button: HTMLElement, claim: () => SpanClaim | undefined): void {
    const show = () => {
      const target = claim();
      if (target && this.dismissed !== button) this.show(button, target);
    };
    button.addEventListener('pointerenter', () => {
      this.hovered = true;
      show();
    });
    button.addEventListener('pointerleave', () => {
      this.hovered = false;
      if (this.dismissed === button) this.dismissed = null;
      if (this.anchor === button && document.activeElement !== button) this.scheduleHide();
    });
    // Focus arriving is a new request for the preview, whatever Escape dismissed before.
    button.addEventListener('focus', () => {
      this.dismissed = null;
      show();
    });
    button.addEventListener('blur', () => {
      if (this.dismissed === button) this.dismissed = null;
      if (this.anchor === button && !this.hovered) this.hide();
    });
    // The source panel opens with the same quote and verdict; the preview would only cover it.
    button.addEventListener('click', () => this.hide());
  }

  /** True while a preview is shown. */
  get isOpen(): boolean {
    return this.anchor !== null;
  }

  /** Places the preview again beside its button, or hides it when the button has left the page (an answer rebuilt). */
  refresh(): void {
    if (this.anchor) this.place(this.anchor);
  }

  /** Hides the preview. */
  hide(): void {
    this.cancelHide();
    this.generation += 1;
    this.anchor?.removeAttribute('aria-describedby');
    this.anchor = null;
    if (this.elements.tooltip.matches(':popover-open')) this.elements.tooltip.hidePopover();
  }

  private show(button: HTMLElement, claim: SpanClaim): void {
    this.cancelHide();
    if (this.anchor === button) return;
    this.hide();
    const { tooltip, title, quote, check } = this.elements;
    const generation = this.generation;
    this.anchor = button;
    title.textContent = this.titles.peek(claim.docId) ?? claim.docId;
    quote.textContent = claim.quote;
    check.className = 'preview-check pending';
    check.textContent = 'Checking the quote against the document…';
    button.setAttribute('aria-describedby', tooltip.id);
    tooltip.showPopover();
    this.place(button);

    void this.titles.titleOf(claim.docId).then((name) => {
      if (generation === this.generation) title.textContent = name;
    });
    this.api.document(claim.docId).then(
      (document_) => {
        if (generation !== this.generation) return;
        const result = checkSpan(document_.text, claim);
        check.className = `preview-check ${result.verified ? 'verified' : 'warning'}`;
        check.replaceChildren(icon(result.verified ? '✓' : '!'), ' ', result.verified ? 'Verified against the source' : result.message);
        this.place(button);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        check.className = 'preview-check warning';
        check.replaceChildren(icon('!'), ` Could not load the document to check the quote (${(error as Error).message}).`);
        this.place(button);
      },
    );
  }

  /** Above the button when there is room, else below it; never over it, and inside the window. */
  private place(button: HTMLElement): void {
    const { tooltip } = this.elements;
    // An answer rebuilt under the pointer takes its old buttons away.
    if (!button.isConnected) {
      this.hide();
      return;
    }
    const anchor = button.getBoundingClientRect();
    const box = tooltip.getBoundingClientRect();
    const above = anchor.top - GAP - box.height;
    const top = above >= GAP ? above : anchor.bottom + GAP;
    const left = Math.min(Math.max(GAP, anchor.left + anchor.width / 2 - box.width / 2), Math.max(GAP, window.innerWidth - box.width - GAP));
    tooltip.style.top = `${Math.round(top)}px`;
    tooltip.style.left = `${Math.round(left)}px`;
  }

  private scheduleHide(): void {
    this.cancelHide();
    this.hideTimer = setTimeout(() => {
      if (this.anchor && document.activeElement !== this.anchor) this.hide();
    }, HIDE_DELAY_MS);
  }

  private cancelHide(): void {
    clearTimeout(this.hideTimer);
    this.hideTimer = undefined;
  }
}

function icon(mark: string): HTMLElement {
  return el('span', { className: 'check-icon', attrs: { 'aria-hidden': 'true' } }, mark);
}
