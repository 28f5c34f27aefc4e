import type { DocumentSummary } from '../../retrieval/pipeline.js';
import type { UploadStatusResponse } from '../../server/protocol.js';
import type { ApiClient } from './api-client.js';
import { documentFacts, type DocumentFact } from './document-facts.js';
import type { DocumentTitles } from './document-titles.js';
import { el } from './dom.js';
import type { SourcePanel } from './source-panel.js';

/** Elements of the library panel in index.html. */
export interface LibraryPanelElements {
  /** Shows and hides the panel (`aria-expanded`). */
  readonly toggle: HTMLButtonElement;
  readonly panel: HTMLElement;
  readonly filter: HTMLInputElement;
  readonly fileInput: HTMLInputElement;
  /** Where files may be dropped. */
  readonly dropZone: HTMLElement;
  /** One line per upload and delete, announced as they change. */
  readonly progress: HTMLElement;
  readonly list: HTMLUListElement;
  readonly count: HTMLElement;
}

/** How often an upload's state is asked for while it is indexed. */
const POLL_MS = 500;

/** One fact of a document's line; the time it was added as a `<time>` with its exact moment as a tooltip. */
function factNode(fact: DocumentFact): HTMLElement {
  const attrs = { 'data-fact': fact.name };
  if (fact.datetime === undefined) return el('span', { className: 'library-fact', attrs }, fact.text);
  return el('time', { className: 'library-fact', attrs: { ...attrs, datetime: fact.datetime, title: new Date(fact.datetime).toLocaleString() } }, fact.text);
}

/** Uploads live under this folder of the corpus; only they get a Delete button. */
const UPLOADS_PREFIX = 'uploads/';

/**
 * The document library: every document of the index with a filter box, opened in the source panel to read; files
 * added by the picker or by dropping them, each upload's progress shown until it can be asked about; uploads deleted
 * after a confirmation. The list is fetched again after every change.
 */
export class LibraryPanel {
  private documents: readonly DocumentSummary[] = [];

  constructor(
    private readonly elements: LibraryPanelElements,
    private readonly api: ApiClient,
    private readonly sources: SourcePanel,
    private readonly titles: DocumentTitles,
    /** Called once the index has changed (an upload is ready, a document deleted), for the rest of the page to follow. */
    private readonly onChange: () => void = () => {},
  ) {
    const { toggle, filter, fileInput, dropZone } = elements;
    toggle.addEventListener('click', () => this.setOpen(elements.panel.hidden !== false));
    filter.addEventListener('input', () => this.render());
    fileInput.addEventListener('change', () => {
      const files = [...(fileInput.files ?? [])];
      fileInput.value = '';
      if (files.length > 0) void this.upload(files);
    });
    dropZone.addEventListener('dragover', (event) => {
      event.preventDefault();
      dropZone.classList.add('dragging');
    });
    dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
    dropZone.addEventListener('drop', (event) => {
      event.preventDefault();
      dropZone.classList.remove('dragging');
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length > 0) void this.upload(files);
    });
  }

  /** Shows or hides the panel; showing it fetches the list. */
  setOpen(open: boolean): void {
    this.elements.panel.hidden = !open;
    this.elements.toggle.setAttribute('aria-expanded', String(open));
    if (open) {
      void this.refresh();
      this.elements.filter.focus();
    }
  }

  /** Fetches the list again and, after an upload or a delete (`changed`), the titles citations show. */
  async refresh(changed = false): Promise<void> {
    this.api.forgetDocuments();
    try {
      this.documents = (await this.api.documents()).documents;
    } catch (error) {
      this.elements.count.textContent = `The documents could not be listed: ${(error as Error).message}`;
      return;
    }
    this.render();
    if (changed) {
      void this.titles.reload();
      this.onChange();
    }
  }

  /** Sends files and follows each upload until it is ready or has failed. */
  async upload(files: readonly File[]): Promise<void> {
    const line = this.progressLine(`Uploading ${files.map((f) => f.name).join(', ')}…`);
    let uploads: readonly UploadStatusResponse[];
    try {
      uploads = (await this.api.upload(files)).uploads;
    } catch (error) {
      line.className = 'library-progress-line failed';
      line.textContent = `Not uploaded: ${(error as Error).message}`;
      return;
    }
    line.remove();
    await Promise.all(uploads.map((upload) => this.follow(upload)));
  }

  private async follow(first: UploadStatusResponse): Promise<void> {
    const line = this.progressLine('');
    let upload = first;
    for (;;) {
      this.describe(line, upload);
      if (upload.state === 'ready' || upload.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      try {
        upload = await this.api.uploadStatus(upload.statusUrl);
      } catch (error) {
        line.className = 'library-progress-line failed';
        line.textContent = `${first.name}: its state could not be read (${(error as Error).message})`;
        return;
      }
    }
    if (upload.state === 'ready') await this.refresh(!upload.duplicate);
  }

  private describe(line: HTMLElement, upload: UploadStatusResponse): void {
    line.className = `library-progress-line ${upload.state}`;
    line.dataset.state = upload.state;
    const text: Record<UploadStatusResponse['state'], string> = {
      queued: 'waiting to be indexed…',
      indexing: 'indexing…',
      ready: upload.duplicate ? `already in the library as ${upload.docId}` : 'ready: you can ask about it',
      failed: `not added: ${upload.reason ?? 'unknown reason'}`,
    };
    line.textContent = `${upload.name}: ${text[upload.state]}`;
  }

  private progressLine(text: string): HTMLElement {
    const line = el('p', { className: 'library-progress-line' }, text);
    this.elements.progress.append(line);
    return line;
  }

  private async remove(document_: DocumentSummary, button: HTMLButtonElement): Promise<void> {
    const name = document_.title || document_.id;
    if (!window.confirm(`Delete “${name}” from the library? It is removed from the index and from the disk.`)) return;
    button.disabled = true;
    const line = this.progressLine(`Deleting ${name}…`);
    try {
      await this.api.deleteDocument(document_.id);
      line.className = 'library-progress-line ready';
      line.textContent = `Deleted ${name}.`;
    } catch (error) {
      button.disabled = false;
      line.className = 'library-progress-line failed';
      line.textContent = `Not deleted: ${(error as Error).message}`;
      return;
    }
    await this.refresh(true);
  }

  private render(): void {
    const { list, count, filter } = this.elements;
    const wanted = filter.value.trim().toLowerCase();
    const shown = this.documents.filter((d) => wanted === '' || d.title.toLowerCase().includes(wanted) || d.id.toLowerCase().includes(wanted));
    const total = this.documents.length;
    count.textContent = wanted === '' ? `${total} ${total === 1 ? 'document' : 'documents'}` : `${shown.length} of ${total} shown`;
    list.replaceChildren(
      ...shown.map((d) => {
        const open = el('button', { className: 'link-button library-title', attrs: { type: 'button' } }, d.title || d.id);
        open.addEventListener('click', () => void this.sources.openDocument(d.id, open));
        const facts = el('span', { className: 'library-facts' }, ...documentFacts(d).flatMap((fact, i) => (i > 0 ? [' · ', factNode(fact)] : [factNode(fact)])));
        const row = el('li', { className: 'library-item' }, open, facts);
        if (d.id.startsWith(UPLOADS_PREFIX)) {
          const remove = el('button', { className: 'secondary library-delete', attrs: { type: 'button', 'aria-label': `Delete ${d.title || d.id}` } }, 'Delete');
          remove.addEventListener('click', () => void this.remove(d, remove));
          row.append(remove);
        }
        return row;
      }),
    );
  }
}
