import type { ApiClient } from './api-client.js';
import { el } from './dom.js';
import { PdfPageView } from './pdf-page-view.js';
import { renderSource } from './source-blocks.js';
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
  /** Names the document: its title, and its id on a line of its own. */
  readonly documentName: HTMLElement;
  readonly check: HTMLElement;
  readonly text: HTMLElement;
  readonly closeButton: HTMLButtonElement;
}

/** Must match the phone-width media query in styles.css, where the panel is a full-screen sheet. */
const SHEET_QUERY = '(max-width: 800px)';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * The source panel: the whole document as paragraphs and headings, the cited span in `<mark>`s scrolled into view,
 * and the page's own verdict on whether the quote is really there. Beside the chat on a wide screen; on a phone a
 * full-screen modal sheet that keeps the keyboard inside it (everything else is inert, Tab cycles) until it closes.
 * Escape closes it wherever the focus is. The buttons that opened it are marked `aria-current` while it shows them.
 */
export class SourcePanel {
  private returnFocusTo: HTMLElement | null = null;
  private current: readonly HTMLElement[] = [];
  /** Elements this panel made inert to cover them; given back when it closes or stops covering. */
  private madeInert: HTMLElement[] = [];
  private generation = 0;
  /** The PDF being drawn, let go of when the panel shows something else. */
  private pdfView: PdfPageView | null = null;
  private readonly sheet = window.matchMedia(SHEET_QUERY);

  constructor(
    private readonly elements: SourcePanelElements,
    private readonly api: ApiClient,
  ) {
    elements.closeButton.addEventListener('click', () => this.close());
    // On the window, so whatever handled Escape on its way up (the citation preview, leaving an edit) goes first.
    window.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.isComposing && this.isOpen && !event.defaultPrevented) {
        event.preventDefault();
        this.close();
      }
    });
    elements.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Tab' && this.isSheet) this.cycleFocus(event);
    });
    this.sheet.addEventListener('change', () => {
      if (this.isOpen) this.setCovering(this.sheet.matches);
    });
  }

  /**
   * Opens `target`; focus returns to `opener` when the panel closes. `current` (by default the opener) is marked as
   * the citation being shown, e.g. every `[n]` of the same source.
   */
  async open(target: SourceTarget, opener: HTMLElement | null, current: readonly HTMLElement[] = opener ? [opener] : []): Promise<void> {
    const { panel, title, documentName, check, text } = this.elements;
    const generation = (this.generation += 1);
    this.disposePdf();
    this.returnFocusTo = opener;
    this.markCurrent(current);
    panel.hidden = false;
    document.body.classList.add('source-open');
    this.setCovering(this.sheet.matches);
    title.textContent = target.label;
    documentName.replaceChildren(el('span', { className: 'source-doc-id' }, target.docId));
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
    // The title may run long; the id has a line of its own, so cutting the title short never hides it.
    documentName.replaceChildren(el('span', { className: 'source-doc-title' }, document_.title || document_.id), el('span', { className: 'source-doc-id' }, document_.id));
    check.className = `source-check ${result.verified ? 'verified' : 'warning'}`;
    const changed = !result.verified && target.answeredAt !== undefined ? `Document changed since this answer (given ${new Date(target.answeredAt).toLocaleString()}). ` : '';
    check.replaceChildren(el('span', { className: 'check-icon', attrs: { 'aria-hidden': 'true' } }, result.verified ? '✓' : '!'), ' ', changed + result.message);

    const span = result.inRange ? target : null;
    const showText = (into: HTMLElement) => {
      const rendered = renderSource(document_.text, span);
      into.replaceChildren(...rendered.nodes);
      const [first] = rendered.marks;
      if (!first) return;
      first.setAttribute('aria-label', `cited span, characters ${target.start} to ${target.end}`);
      // A span that starts at a paragraph break starts in the hidden break; show where its text is.
      (rendered.marks.find((m) => !m.parentElement?.classList.contains('source-gap')) ?? first).scrollIntoView({ block: 'center' });
    };
    if (document_.pages?.length) {
      this.showPdf({ ...document_, pages: document_.pages }, span, showText);
      return;
    }
    showText(text);
  }

  /** Draws the PDF's page holding `span` (or its first page) in the text area, the text view a click away. */
  private showPdf(document_: ConstructorParameters<typeof PdfPageView>[0]['document'], span: { start: number; end: number } | null, renderText: (into: HTMLElement) => void): void {
    this.pdfView = new PdfPageView({ container: this.elements.text, api: this.api, document: document_, span, renderText });
    void this.pdfView.start();
  }

  private disposePdf(): void {
    this.pdfView?.dispose();
    this.pdfView = null;
  }

  /** Opens a whole document to read (from the library), with no span to check. */
  async openDocument(docId: string, opener: HTMLElement | null): Promise<void> {
    const { panel, title, documentName, check, text } = this.elements;
    const generation = (this.generation += 1);
    this.disposePdf();
    this.returnFocusTo = opener;
    this.markCurrent(opener ? [opener] : []);
    panel.hidden = false;
    document.body.classList.add('source-open');
    this.setCovering(this.sheet.matches);
    title.textContent = 'Document';
    documentName.replaceChildren(el('span', { className: 'source-doc-id' }, docId));
    check.className = 'source-check pending';
    check.textContent = `Fetching ${docId}…`;
    text.replaceChildren();
    title.focus({ preventScroll: true });
    let document_;
    try {
      document_ = await this.api.document(docId);
    } catch (error) {
      if (generation !== this.generation) return;
      check.className = 'source-check warning';
      check.textContent = `Warning: could not load ${docId} (${(error as Error).message}).`;
      return;
    }
    if (generation !== this.generation) return;
    documentName.replaceChildren(el('span', { className: 'source-doc-title' }, document_.title || document_.id), el('span', { className: 'source-doc-id' }, document_.id));
    check.className = 'source-check';
    check.textContent = `${document_.text.length.toLocaleString('en')} characters, as the answers quote them.`;
    const showText = (into: HTMLElement) => into.replaceChildren(...renderSource(document_.text, null).nodes);
    if (document_.pages?.length) this.showPdf({ ...document_, pages: document_.pages }, null, showText);
    else showText(text);
  }

  /** Closes the panel; focus goes back to what opened it unless the reader has moved it elsewhere (the question box). */
  close(): void {
    const { panel } = this.elements;
    this.generation += 1;
    this.disposePdf();
    const active = document.activeElement;
    const focusWasHere = active === null || active === document.body || panel.contains(active);
    panel.hidden = true;
    this.setCovering(false);
    this.markCurrent([]);
    document.body.classList.remove('source-open');
    const target = this.returnFocusTo;
    this.returnFocusTo = null;
    if (focusWasHere && target?.isConnected) target.focus();
  }

  /** True while the panel is shown. */
  get isOpen(): boolean {
    return !this.elements.panel.hidden;
  }

  /** True while the panel is the full-screen sheet of a phone-width window. */
  private get isSheet(): boolean {
    return this.isOpen && this.sheet.matches;
  }

  private markCurrent(current: readonly HTMLElement[]): void {
    for (const button of this.current) button.removeAttribute('aria-current');
    this.current = current;
    for (const button of current) button.setAttribute('aria-current', 'true');
  }

  /** As a sheet, the panel is a modal dialog: everything outside it is inert. Beside the chat, it is a complementary region. */
  private setCovering(covering: boolean): void {
    const { panel } = this.elements;
    for (const element of this.madeInert) element.inert = false;
    this.madeInert = [];
    if (covering) {
      panel.setAttribute('role', 'dialog');
      panel.setAttribute('aria-modal', 'true');
      for (let node: HTMLElement = panel; node.parentElement && node !== document.body; node = node.parentElement) {
        for (const sibling of node.parentElement.children) {
          if (sibling !== node && sibling instanceof HTMLElement && !sibling.inert) {
            sibling.inert = true;
            this.madeInert.push(sibling);
          }
        }
      }
    } else {
      panel.setAttribute('role', 'complementary');
      panel.removeAttribute('aria-modal');
    }
  }

  /** Tab from the last control goes to the first, Shift+Tab from the first (or the heading) to the last. */
  private cycleFocus(event: KeyboardEvent): void {
    const focusable = [...this.elements.panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((e) => e.getClientRects().length > 0);
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!first || !last) return;
    const active = document.activeElement;
    const atStart = active === first || !focusable.includes(active as HTMLElement);
    if (event.shiftKey && atStart) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || (!focusable.includes(active as HTMLElement) && active !== this.elements.title))) {
      event.preventDefault();
      first.focus();
    }
  }
}
