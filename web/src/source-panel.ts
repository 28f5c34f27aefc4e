import type { ApiClient } from './api-client.js';
import { el } from './dom.js';
import { checkSpan, type SpanClaim } from './verify-citation.js';

/** What to show: a span of a document and the text claimed to be there. */
export interface SourceTarget extends SpanClaim {
  /** Names the target for the panel heading, e.g. `Citation [1]` or `Passage 3`. */
  readonly label: string;
  /**
   * When the answer citing this was given, for an answer saved earlier: a quote that no longer matches then means
   * the document changed since, and the panel says so.
   */
  readonly answeredAt?: number;
}

/** Elements of the panel in index.html. */
export interface SourcePanelElements {
  readonly panel: HTMLElement;
  readonly title: HTMLElement;
  /** Names the document: its title and id. */
  readonly documentName: HTMLElement;
  readonly check: HTMLElement;
  readonly text: HTMLElement;
  readonly closeButton: HTMLButtonElement;
  /** The chat behind the panel; made inert while the panel covers it on narrow screens. */
  readonly background: HTMLElement;
}

/** Must match the phone-width media query in styles.css, where the panel covers the chat. */
const COVERING_QUERY = '(max-width: 800px)';

/**
 * The source panel: the whole document as text, the cited span in a `<mark>` scrolled into view, and
 * the page's own verdict on whether the quote is really there.
 */
export class SourcePanel {
  private returnFocusTo: HTMLElement | null = null;
  private generation = 0;

  constructor(
    private readonly elements: SourcePanelElements,
    private readonly api: ApiClient,
  ) {
    elements.closeButton.addEventListener('click', () => this.close());
    elements.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.close();
      }
    });
  }

  /** Opens `target`; focus returns to `opener` when the panel closes. */
  async open(target: SourceTarget, opener: HTMLElement | null): Promise<void> {
    const { panel, title, documentName, check, text } = this.elements;
    const generation = (this.generation += 1);
    this.returnFocusTo = opener;
    panel.hidden = false;
    document.body.classList.add('source-open');
    this.elements.background.inert = window.matchMedia(COVERING_QUERY).matches;
    title.textContent = target.label;
    documentName.textContent = target.docId;
    check.className = 'source-check pending';
    check.textContent = `Fetching ${target.docId} to check the quote…`;
    text.replaceChildren();
    title.focus({ preventScroll: true });

    let document_;
    try {
      document_ = await this.api.document(target.docId);
    } catch (error) {
      if (generation !== this.generation) return;
      check.className = 'source-check warning';
      check.textContent = `Warning: could not load ${target.docId} (${(error as Error).message}); this citation cannot be checked.`;
      return;
    }
    if (generation !== this.generation) return;

    const result = checkSpan(document_.text, target);
    documentName.replaceChildren(el('span', { className: 'source-doc-title' }, document_.title || document_.id), ' ', el('span', { className: 'source-doc-id' }, `(${document_.id})`));
    check.className = `source-check ${result.verified ? 'verified' : 'warning'}`;
    const changed = !result.verified && target.answeredAt !== undefined ? `Document changed since this answer (given ${new Date(target.answeredAt).toLocaleString()}). ` : '';
    check.replaceChildren(el('span', { className: 'check-icon', attrs: { 'aria-hidden': 'true' } }, result.verified ? '✓' : '!'), ' ', changed + result.message);

    if (!result.inRange) {
      text.replaceChildren(document_.text);
      return;
    }
    const mark = el('mark', { attrs: { 'aria-label': `cited span, characters ${target.start} to ${target.end}` } }, document_.text.slice(target.start, target.end));
    text.replaceChildren(document_.text.slice(0, target.start), mark, document_.text.slice(target.end));
    mark.scrollIntoView({ block: 'center' });
  }

  /** Closes the panel and returns focus to what opened it. */
  close(): void {
    this.generation += 1;
    this.elements.panel.hidden = true;
    this.elements.background.inert = false;
    document.body.classList.remove('source-open');
    const target = this.returnFocusTo;
    this.returnFocusTo = null;
    if (target?.isConnected) target.focus();
  }

  /** True while the panel is shown. */
  get isOpen(): boolean {
    return !this.elements.panel.hidden;
  }
}
