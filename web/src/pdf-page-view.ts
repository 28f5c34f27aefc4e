/**
 * A PDF in the source panel: the real page drawn by PDF.js on a canvas, and over it a text layer built from the
 * index's own text boxes (`GET /api/documents/:id` `pages`), so the highlighted characters are exactly the cited span
 * of the document text, not whatever PDF.js would extract. Previous/next page, zoom, and a plain-text view a click away.
 *
 * Inert by construction: PDF.js runs with eval off and no scripting or annotation layer (a PDF's JavaScript actions
 * are never run, its links never become page elements), and everything it loads comes from this origin (`pdfjs/` in
 * the bundle, see web/build.ts). The page's Trusted Types policy (`'none'`) forbids `new Worker(url)`, so PDF.js's
 * worker code is loaded as a module and runs on the page's thread (PDF.js's "main-thread worker"): no CSP change needed.
 */
import type * as PdfJs from 'pdfjs-dist';
import type { DocumentResponse } from '../../server/protocol.js';
import type { DocumentPage } from '../../retrieval/types.js';
import { pagesOfSpan } from '../../retrieval/corpus/page-map.js';
import type { ApiClient } from './api-client.js';
import { el } from './dom.js';

type PdfJsModule = typeof PdfJs;

/** The cited span; null to show a page with nothing marked. */
export interface PdfSpan {
  readonly start: number;
  readonly end: number;
}

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3] as const;

let pdfjsLoading: Promise<PdfJsModule> | null = null;

/** PDF.js and its worker code, loaded once per page load from `pdfjs/` of this origin. */
function loadPdfJs(): Promise<PdfJsModule> {
  pdfjsLoading ??= (async () => {
    // Computed URLs, so the bundler leaves them as imports of the copied files.
    const base = new URL('pdfjs/', document.baseURI).href;
    const [pdfjs, worker] = await Promise.all([import(`${base}pdf.min.mjs`) as Promise<PdfJsModule>, import(`${base}pdf.worker.min.mjs`) as Promise<unknown>]);
    // PDF.js looks for its worker code here before trying `new Worker`, which Trusted Types would refuse.
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return pdfjs;
  })();
  pdfjsLoading.catch(() => {
    pdfjsLoading = null;
  });
  return pdfjsLoading;
}

/** Options of {@link PdfPageView}. */
export interface PdfPageViewOptions {
  readonly container: HTMLElement;
  readonly api: ApiClient;
  readonly document: DocumentResponse & { readonly pages: readonly DocumentPage[] };
  readonly span: PdfSpan | null;
  /** Draws the plain-text view into the given element (the panel's text view, with the same highlight). */
  readonly renderText: (into: HTMLElement) => void;
}

/** One PDF shown in the panel; {@link PdfPageView.dispose} when the panel shows something else. */
export class PdfPageView {
  private pdf: PdfJs.PDFDocumentProxy | null = null;
  private loading: PdfJs.PDFDocumentLoadingTask | null = null;
  private renderTask: PdfJs.RenderTask | null = null;
  private pageNumber: number;
  /** Index into ZOOM_STEPS times the fit-to-width scale. */
  private zoom = ZOOM_STEPS.indexOf(1);
  private fitScale = 1;
  private disposed = false;
  private drawing = 0;

  private readonly status = el('span', { className: 'pdf-page-status', attrs: { 'aria-live': 'polite' } });
  private readonly previous = el('button', { className: 'pdf-button', attrs: { type: 'button', 'aria-label': 'Previous page' } }, '‹ Previous');
  private readonly next = el('button', { className: 'pdf-button', attrs: { type: 'button', 'aria-label': 'Next page' } }, 'Next ›');
  private readonly zoomOut = el('button', { className: 'pdf-button', attrs: { type: 'button', 'aria-label': 'Zoom out' } }, '−');
  private readonly zoomIn = el('button', { className: 'pdf-button', attrs: { type: 'button', 'aria-label': 'Zoom in' } }, '+');
  private readonly zoomLabel = el('span', { className: 'pdf-zoom-status' });
  private readonly viewToggle = el('button', { className: 'pdf-button pdf-view-toggle', attrs: { type: 'button', 'aria-pressed': 'false' } }, 'Show as text');
  private readonly canvas = el('canvas', { className: 'pdf-canvas', attrs: { 'aria-hidden': 'true' } });
  private readonly textLayer = el('div', { className: 'pdf-text-layer' });
  private readonly sheet = el('div', { className: 'pdf-page' }, this.canvas, this.textLayer);
  private readonly pageView = el('div', { className: 'pdf-page-view' }, this.sheet);
  private readonly textView = el('div', { className: 'pdf-text-view' });
  private readonly message = el('p', { className: 'pdf-message', attrs: { role: 'status' } });
  /** Where the quote goes on from the page shown: the page it came from, the page it continues on (each a button). */
  private readonly spanNote = el('p', { className: 'pdf-span-note' });
  /** The pages the cited span touches, in order; empty with no span. */
  private readonly spanPages: readonly number[];

  constructor(private readonly options: PdfPageViewOptions) {
    const { pages } = options.document;
    const { span } = options;
    this.spanPages = span ? pagesOfSpan(pages, span.start, span.end) : [];
    this.pageNumber = this.spanPages[0] ?? pages[0]?.number ?? 1;
    const toolbar = el(
      'div',
      { className: 'pdf-toolbar', attrs: { role: 'toolbar', 'aria-label': 'PDF page' } },
      this.previous,
      this.status,
      this.next,
      el('span', { className: 'pdf-zoom' }, this.zoomOut, this.zoomLabel, this.zoomIn),
      this.viewToggle,
    );
    this.textView.hidden = true;
    this.textLayer.setAttribute('aria-label', `Text of the page`);
    this.spanNote.hidden = true;
    options.container.replaceChildren(toolbar, this.message, this.spanNote, this.pageView, this.textView);
    this.previous.addEventListener('click', () => void this.redraw(this.pageNumber - 1, true));
    this.next.addEventListener('click', () => void this.redraw(this.pageNumber + 1, true));
    this.zoomOut.addEventListener('click', () => this.setZoom(this.zoom - 1));
    this.zoomIn.addEventListener('click', () => this.setZoom(this.zoom + 1));
    this.viewToggle.addEventListener('click', () => this.toggleText());
  }

  /** Loads the file and draws the cited page, the first mark scrolled into view. */
  async start(): Promise<void> {
    this.message.textContent = 'Drawing the page…';
    try {
      const [pdfjs, data] = await Promise.all([loadPdfJs(), this.options.api.documentFile(this.options.document.id)]);
      if (this.disposed) return;
      this.loading = pdfjs.getDocument({
        data: new Uint8Array(data),
        isEvalSupported: false,
        enableXfa: false,
        standardFontDataUrl: new URL('pdfjs/standard_fonts/', document.baseURI).href,
        verbosity: pdfjs.VerbosityLevel.ERRORS,
      });
      this.pdf = await this.loading.promise;
      if (this.disposed) return;
      const page = this.pageSize(this.pageNumber);
      const width = this.pageView.clientWidth || 600;
      this.fitScale = page ? Math.max(0.25, (width - 2) / page.width) : 1;
      await this.show(this.pageNumber, false);
      this.scrollToMark();
    } catch (error) {
      if (this.disposed) return;
      this.message.textContent = `Could not draw the PDF (${(error as Error).message}); showing its text instead.`;
      if (this.textView.hidden) this.toggleText();
    }
  }

  /** Stops drawing and lets go of the PDF. */
  dispose(): void {
    this.disposed = true;
    this.renderTask?.cancel();
    void this.loading?.destroy();
  }

  private pageSize(number: number): DocumentPage | undefined {
    return this.options.document.pages.find((p) => p.number === number);
  }

  private get scale(): number {
    return this.fitScale * ZOOM_STEPS[this.zoom]!;
  }

  private setZoom(step: number): void {
    this.zoom = Math.min(ZOOM_STEPS.length - 1, Math.max(0, step));
    void this.redraw(this.pageNumber, false).then(() => this.scrollToMark());
  }

  /** {@link show} from a button: a page PDF.js cannot draw says so in the panel, the text view still a click away. */
  private async redraw(number: number, focusKept: boolean): Promise<void> {
    try {
      await this.show(number, focusKept);
    } catch (error) {
      if (!this.disposed) this.message.textContent = `Could not draw page ${this.pageNumber} (${(error as Error).message}); "Show as text" shows its text.`;
    }
  }

  private toggleText(): void {
    const showText = this.textView.hidden;
    this.textView.hidden = !showText;
    this.pageView.hidden = showText;
    // The text view marks the whole quote at once: a note about pages belongs to the page view.
    this.spanNote.hidden = showText || this.spanNote.childElementCount === 0;
    this.viewToggle.textContent = showText ? 'Show page' : 'Show as text';
    this.viewToggle.setAttribute('aria-pressed', String(showText));
    if (showText) {
      this.options.renderText(this.textView);
      this.textView.querySelector('mark')?.scrollIntoView({ block: 'center' });
    } else {
      this.scrollToMark();
    }
  }

  private scrollToMark(): void {
    this.textLayer.querySelector('mark')?.scrollIntoView({ block: 'center', inline: 'nearest' });
  }

  /** Draws page `number` at the current zoom, with its text layer. */
  private async show(number: number, focusKept: boolean): Promise<void> {
    const { pdf } = this;
    if (!pdf) return;
    const count = pdf.numPages;
    const target = Math.min(count, Math.max(1, number));
    this.pageNumber = target;
    const drawing = (this.drawing += 1);
    this.status.textContent = `Page ${target} of ${count}`;
    this.previous.disabled = target <= 1;
    this.next.disabled = target >= count;
    this.zoomOut.disabled = this.zoom === 0;
    this.zoomIn.disabled = this.zoom === ZOOM_STEPS.length - 1;
    this.zoomLabel.textContent = `${Math.round(this.scale * 100)}%`;
    // A page button that just became disabled would drop the focus to the page body: hand it to the other one.
    if (focusKept && document.activeElement === this.next && this.next.disabled) this.previous.focus();
    if (focusKept && document.activeElement === this.previous && this.previous.disabled) this.next.focus();

    const page = await pdf.getPage(target);
    if (drawing !== this.drawing || this.disposed) return;
    const viewport = page.getViewport({ scale: this.scale });
    const ratio = window.devicePixelRatio || 1;
    this.renderTask?.cancel();
    const canvas = this.canvas;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    this.sheet.style.width = `${Math.floor(viewport.width)}px`;
    this.sheet.style.height = `${Math.floor(viewport.height)}px`;
    const task = page.render({ canvas, viewport, ...(ratio !== 1 ? { transform: [ratio, 0, 0, ratio, 0, 0] } : {}) });
    this.renderTask = task;
    this.buildTextLayer(target);
    this.describeSpanPages(target);
    try {
      await task.promise;
      if (drawing === this.drawing) this.message.textContent = '';
    } catch (error) {
      if ((error as Error).name === 'RenderingCancelledException') return;
      throw error;
    }
  }

  /**
   * One absolutely placed span per text box of the page (its text exactly `text.slice(box.start, box.end)`), a box
   * the cited span cuts split at its edges, the cited parts in `<mark>`s: the marks in order, with the document's
   * separators between boxes, read exactly the quote. A part's place inside a box is its share of the box's characters.
   */
  private buildTextLayer(number: number): void {
    const page = this.pageSize(number);
    const { text } = this.options.document;
    const { span } = this.options;
    const scale = this.scale;
    const nodes: HTMLElement[] = [];
    for (const [boxStart, boxEnd, x, y, width, height] of page?.boxes ?? []) {
      const length = boxEnd - boxStart;
      if (length <= 0) continue;
      const cuts = [boxStart];
      if (span && span.start > boxStart && span.start < boxEnd) cuts.push(span.start);
      if (span && span.end > boxStart && span.end < boxEnd) cuts.push(span.end);
      cuts.push(boxEnd);
      for (let i = 0; i + 1 < cuts.length; i++) {
        const from = cuts[i]!;
        const to = cuts[i + 1]!;
        const cited = span !== null && from >= span.start && to <= span.end;
        const part = el(cited ? 'mark' : 'span', { className: 'pdf-text-part' }, text.slice(from, to));
        const left = x + (width * (from - boxStart)) / length;
        const partWidth = (width * (to - from)) / length;
        part.style.left = `${left * scale}px`;
        part.style.top = `${y * scale}px`;
        part.style.width = `${partWidth * scale}px`;
        part.style.height = `${height * scale}px`;
        part.style.fontSize = `${height * scale * 0.85}px`;
        if (cited) {
          part.dataset.start = String(from);
          part.dataset.end = String(to);
        }
        nodes.push(part);
      }
    }
    this.textLayer.replaceChildren(...nodes);
    const first = this.textLayer.querySelector('mark');
    if (first && span) {
      const from = this.spanPages[this.spanPages.indexOf(number) - 1];
      first.setAttribute('aria-label', `cited span, characters ${span.start} to ${span.end}, ${from === undefined ? 'starts here' : `continued from page ${from}`}`);
    }
  }

  /**
   * Says where the quote goes on from page `number`: a quote that runs across a page break is marked part by part on
   * every page it touches, and each part says where it continues, as a button to that page. On a page the quote does
   * not touch, a button leads back to it.
   */
  private describeSpanPages(number: number): void {
    const pages = this.spanPages;
    const at = pages.indexOf(number);
    const links: HTMLButtonElement[] = [];
    const link = (page: number, text: string, arrow: 'before' | 'after') => {
      const hint = el('span', { attrs: { 'aria-hidden': 'true' } }, arrow === 'before' ? '‹ ' : ' ›');
      const button = el('button', { className: 'link-button pdf-span-link', attrs: { type: 'button' } }, arrow === 'before' ? hint : null, text, arrow === 'after' ? hint : null);
      button.addEventListener('click', () => void this.redraw(page, false).then(() => this.scrollToMark()));
      links.push(button);
    };
    if (at === -1 && pages.length > 0) {
      link(pages[0]!, pages.length === 1 ? `The quote is on page ${pages[0]}` : `The quote is on pages ${pages[0]}–${pages.at(-1)}`, 'after');
    } else if (at !== -1) {
      if (at > 0) link(pages[at - 1]!, `Quote continued from page ${pages[at - 1]}`, 'before');
      if (at < pages.length - 1) link(pages[at + 1]!, `Quote continues on page ${pages[at + 1]}`, 'after');
    }
    // A link that was just followed is replaced: the focus goes to the new page's first link, not to the page body.
    const hadFocus = this.spanNote.contains(document.activeElement);
    this.spanNote.replaceChildren(...links);
    this.spanNote.hidden = links.length === 0 || !this.textView.hidden;
    if (hadFocus) (links[0] ?? this.next).focus();
  }
}
