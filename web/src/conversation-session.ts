/**
 * Which saved conversation this tab shows, and keeping it saved: the first answer of a new chat creates a
 * conversation, every later change of its answers replaces them in the store, and the address bar carries its id
 * (`#c=…`, a fragment, never sent to the server), so a reload shows it again while a new tab starts a new chat.
 * Also what the panel's Rename, Delete and Export do.
 */
import type { ChatApp, DocumentTitleOf } from './chat-app.js';
import type { ConversationPanel } from './conversation-panel.js';
import { conversationMarkdown, exportFileName } from './conversation-markdown.js';
import type { ConversationStore, SavedExchange } from './conversation-store.js';
import { el } from './dom.js';
import type { TabChannel } from './tab-channel.js';

/** The fragment naming the conversation shown: `#c=<id>`. */
const FRAGMENT = /^#c=([0-9a-f]{1,64})$/;

/** Reads the conversation id from the address bar, if any. */
export function conversationInAddress(hash: string): string | null {
  return FRAGMENT.exec(hash)?.[1] ?? null;
}

/** An error's message, without a final full stop (it is put inside a sentence). */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.endsWith('.') ? message.slice(0, -1) : message;
}

/** Options of {@link ConversationSession}. */
export interface ConversationSessionOptions {
  /** Rejects when the browser cannot keep conversations (the panel then says why, and the chat works unsaved). */
  readonly store: Promise<ConversationStore>;
  readonly panel: () => ConversationPanel;
  readonly chat: () => ChatApp;
  /** Names documents in an export. */
  readonly titleOf: DocumentTitleOf;
  /** Keeps the lists of this browser's tabs in step. */
  readonly otherTabs: TabChannel;
}

/** The conversation of this tab, kept in the store. */
export class ConversationSession {
  private currentId: string | null = null;
  /** Counts switches (New chat, opening another): a change reported before a switch belongs to what was shown then. */
  private generation = 0;
  /** Store writes in the order they were asked for, so a quick edit-and-answer never saves out of order. */
  private queue: Promise<unknown> = Promise.resolve();

  /** The store once open; null when there is none. */
  private readonly store: Promise<ConversationStore | null>;

  constructor(private readonly options: ConversationSessionOptions) {
    this.store = options.store.catch(() => null);
    // Another tab changed what is saved: list it, unless a rename or delete is under way here (it lists on its own).
    options.otherTabs.listen(() =>
      this.enqueue(async (store) => {
        if (!this.options.panel().isBusy) await this.refresh(store);
      }, 'Could not list the conversations'),
    );
  }

  /** Lists the saved conversations and shows the one the address names (after a reload). */
  async start(): Promise<void> {
    const panel = this.options.panel();
    try {
      await this.options.store;
    } catch (error) {
      panel.unavailable(reason(error));
      return;
    }
    const wanted = conversationInAddress(location.hash);
    this.enqueue(async (store) => {
      const conversation = wanted ? await store.get(wanted) : null;
      if (conversation) {
        this.currentId = conversation.id;
        this.options.chat().show(conversation.exchanges);
      } else if (wanted) {
        this.setAddress(null);
        panel.problem('The conversation in the address is not saved in this browser (it was deleted, or saved in another browser): this is a new chat.');
      }
      await this.refresh(store);
    }, 'Could not load the saved conversations');
    await this.queue;
    panel.markReady();
  }

  /** The chat's answered exchanges changed: saves them, creating the conversation on its first answer. */
  save(exchanges: readonly SavedExchange[]): void {
    const shown = this.currentId;
    const generation = this.generation;
    this.enqueue(async (store) => {
      // Writes run in order: without a switch since, an earlier write may have created the conversation meanwhile.
      const current = generation === this.generation;
      const target = current ? this.currentId : shown;
      const saved = target === null ? null : await store.saveExchanges(target, exchanges);
      if (!saved) {
        // New, or deleted in another tab meanwhile: what is on the page is kept as a new conversation.
        if (exchanges.length === 0) return;
        const created = await store.create(exchanges);
        if (current && generation === this.generation) {
          this.currentId = created.id;
          this.setAddress(created.id);
        }
      }
      this.options.otherTabs.announce();
      await this.refresh(store);
    }, 'Could not save this conversation');
  }

  /** New chat: nothing is saved until its first answer. */
  startNew(): void {
    this.generation += 1;
    this.currentId = null;
    this.setAddress(null);
    this.options.panel().setCurrent(null);
  }

  /** Shows conversation `id` from the store. */
  open(id: string): void {
    if (id === this.currentId) return;
    this.enqueue(async (store) => {
      const conversation = await store.get(id);
      if (!conversation) {
        await this.refresh(store);
        this.options.panel().problem('That conversation is no longer saved (it was deleted in another tab).');
        return;
      }
      this.generation += 1;
      this.currentId = id;
      this.setAddress(id);
      this.options.chat().show(conversation.exchanges);
      this.options.panel().setCurrent(id);
    }, 'Could not open the conversation');
  }

  /** Renames conversation `id`; a blank title gives it back its first question. */
  rename(id: string, title: string): void {
    this.enqueue(async (store) => {
      await store.rename(id, title);
      this.options.otherTabs.announce();
      await this.refresh(store);
      this.options.panel().focus(id, 'rename');
    }, 'Could not rename the conversation');
  }

  /** Deletes conversation `id` (the panel has asked first). */
  delete(id: string): void {
    this.enqueue(async (store) => {
      await store.delete(id);
      this.options.otherTabs.announce();
      // The open conversation, deleted: the page starts a new chat rather than showing what is no longer saved.
      if (id === this.currentId) this.options.chat().newChat();
      const { conversations } = await store.list();
      this.options.panel().show(conversations, this.currentId);
      this.options.panel().focus(conversations[0]?.id ?? null);
    }, 'Could not delete the conversation');
  }

  /** Downloads conversation `id` as a Markdown file. */
  export(id: string): void {
    const { titleOf } = this.options;
    this.enqueue(async (store) => {
      const conversation = await store.get(id);
      if (!conversation) throw new Error('it is no longer saved');
      const docIds = [...new Set(conversation.exchanges.flatMap((x) => x.result.citations.map((c) => c.docId)))];
      const titles = new Map(await Promise.all(docIds.map(async (d) => [d, await titleOf(d)] as const)));
      const markdown = conversationMarkdown(conversation, (d) => titles.get(d) ?? d, new Date());
      const url = URL.createObjectURL(new Blob([markdown], { type: 'text/markdown;charset=utf-8' }));
      const link = el('a', { attrs: { href: url, download: exportFileName(conversation.title) } });
      document.body.append(link);
      link.click();
      link.remove();
      // The download has its own copy by the time the click returns; the next tick is a safe moment to let go.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    }, 'Could not export the conversation');
  }

  private async refresh(store: ConversationStore): Promise<void> {
    const { conversations, unreadable } = await store.list();
    const panel = this.options.panel();
    panel.show(conversations, this.currentId);
    if (unreadable > 0) panel.problem(`${unreadable} saved conversation${unreadable === 1 ? '' : 's'} could not be read by this version of the page and ${unreadable === 1 ? 'is' : 'are'} not listed (${unreadable === 1 ? 'it is' : 'they are'} kept as saved).`);
  }

  /** Runs `work` after every earlier write, once the store is open; nothing runs without a store. */
  private enqueue(work: (store: ConversationStore) => Promise<void>, failure: string): void {
    this.queue = this.queue
      .then(async () => {
        const store = await this.store;
        if (store) await work(store);
      })
      .catch((error: unknown) => this.options.panel().problem(`${failure}: ${reason(error)}. What is on the page stays until you reload.`));
  }

  private setAddress(id: string | null): void {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${id ? `#c=${id}` : ''}`);
  }
}
