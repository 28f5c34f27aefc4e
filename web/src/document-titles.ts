import type { ApiClient } from './api-client.js';

/**
 * Documents by title rather than by file name (often a hash): the index's list, asked for once per page load, read
 * synchronously once it is in (answers render before a promise could settle) and awaited where waiting is fine.
 */
export class DocumentTitles {
  private readonly titles = new Map<string, string>();
  private loading: Promise<void> | null = null;

  constructor(private readonly api: Pick<ApiClient, 'documents'>) {}

  /** The title of `docId` if the list is in; undefined before that (call {@link titleOf} to wait for it). */
  peek(docId: string): string | undefined {
    return this.titles.get(docId);
  }

  /** The title of `docId`, or `docId` itself when the document has none or the list cannot be had. */
  async titleOf(docId: string): Promise<string> {
    await this.load();
    return this.titles.get(docId) || docId;
  }

  /** The list changed (the library panel added or deleted a document): load it again. */
  async reload(): Promise<void> {
    this.loading = null;
    await this.load();
  }

  /** Loads the list; a failure is tried again on the next call. */
  private load(): Promise<void> {
    this.loading ??= this.api.documents().then(
      ({ documents }) => {
        for (const d of documents) if (d.title) this.titles.set(d.id, d.title);
      },
      () => {
        this.loading = null;
      },
    );
    return this.loading;
  }
}
