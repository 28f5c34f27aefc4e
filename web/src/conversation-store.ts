/**
 * Conversations kept in this browser (IndexedDB, through `idb`), as plain data: each question with the answer result
 * exactly as the server sent it, so a restored answer renders, cites and verifies as it did live. Nothing leaves the
 * browser; a record this version cannot read is skipped (and counted), never overwritten or deleted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AskResult } from '../../retrieval/types.js';

/** One answered question of a saved conversation. */
export interface SavedExchange {
  readonly question: string;
  /** The `done` frame's result, as received. */
  readonly result: AskResult;
  /** When the question was sent, in milliseconds since the epoch. */
  readonly askedAt: number;
  /** When its answer finished; a citation is checked against the document as it is now, not as it was then. */
  readonly answeredAt: number;
}

/** A saved conversation. */
export interface Conversation {
  readonly id: string;
  /** Shown in the list: the first question, until the user renames it. */
  readonly title: string;
  /** True once the user chose the title; the first question then no longer names it. */
  readonly renamed: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Oldest first. */
  readonly exchanges: readonly SavedExchange[];
}

/** What the list shows of every conversation, and why some could not be read. */
export interface ConversationList {
  /** Most recently changed first. */
  readonly conversations: readonly Conversation[];
  /** Records in the database this version of the page cannot read (left as they are). */
  readonly unreadable: number;
}

interface VerbatimDb extends DBSchema {
  conversations: { key: string; value: Conversation; indexes: { 'by-updated': number } };
}

/** The database's name in this origin. */
export const DATABASE_NAME = 'verbatim';

/**
 * The schema's version; raise it with a new step in `upgrade` (never by changing an earlier step), so a browser
 * holding any older version is brought forward without losing what it holds.
 */
const SCHEMA_VERSION = 1;

/** Longest title kept; a longer one (a long first question) is cut at a word with `…`. */
export const TITLE_CHARS = 80;

/** A title from a question or a user's typing: one line, at most {@link TITLE_CHARS}. */
export function conversationTitle(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= TITLE_CHARS) return flat;
  const cut = flat.slice(0, TITLE_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A random id that needs no secure context (`crypto.randomUUID` is missing on plain HTTP beyond loopback). */
function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function isSavedExchange(value: unknown): value is SavedExchange {
  const x = value as Partial<SavedExchange> | null;
  const result = x?.result as Partial<AskResult> | undefined;
  return (
    typeof x?.question === 'string' &&
    typeof x.askedAt === 'number' &&
    typeof x.answeredAt === 'number' &&
    typeof result === 'object' &&
    result !== null &&
    typeof result.answer === 'string' &&
    Array.isArray(result.citations) &&
    Array.isArray(result.passages)
  );
}

/** True for a record this version can show; anything else is left in the database untouched. */
function isConversation(value: unknown): value is Conversation {
  const c = value as Partial<Conversation> | null;
  return (
    typeof c?.id === 'string' &&
    typeof c.title === 'string' &&
    typeof c.createdAt === 'number' &&
    typeof c.updatedAt === 'number' &&
    Array.isArray(c.exchanges) &&
    c.exchanges.every(isSavedExchange)
  );
}

/** The conversations of this browser. */
export class ConversationStore {
  private constructor(
    private readonly db: IDBPDatabase<VerbatimDb>,
    /** Set once a newer page in another tab took the database over (this connection is closed). */
    private readonly superseded: { value: boolean },
  ) {}

  /**
   * Opens (creating or upgrading) the database. Rejects when the browser offers no IndexedDB (some private modes,
   * storage turned off); the page then works without saving.
   */
  static async open(options: { readonly name?: string } = {}): Promise<ConversationStore> {
    if (typeof indexedDB === 'undefined') throw new Error('this browser offers no IndexedDB');
    let refuse: (error: Error) => void = () => {};
    const blocked = new Promise<never>((_, reject) => (refuse = reject));
    let abandoned = false;
    const superseded = { value: false };
    const opening = openDB<VerbatimDb>(options.name ?? DATABASE_NAME, SCHEMA_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          const conversations = database.createObjectStore('conversations', { keyPath: 'id' });
          conversations.createIndex('by-updated', 'updatedAt');
        }
      },
      // An older page in another tab holds the database open and did not let go: the chat must not wait for it.
      blocked() {
        abandoned = true;
        refuse(new Error('another tab holds an older version of the saved conversations open: close it and reload'));
      },
      // A newer page in another tab needs the database upgraded: let it, rather than block it.
      blocking() {
        superseded.value = true;
        void opening.then((db) => db.close());
      },
    });
    const db = await Promise.race([opening, blocked]);
    void opening.then((late) => {
      if (abandoned) late.close();
    });
    return new ConversationStore(db, superseded);
  }

  /** The database, unless another tab's newer page has taken it over. */
  private get database(): IDBPDatabase<VerbatimDb> {
    if (this.superseded.value) throw new Error('a newer version of this page, open in another tab, has taken over the saved conversations: reload this tab');
    return this.db;
  }

  /** Every conversation, most recently changed first. */
  async list(): Promise<ConversationList> {
    const all: unknown[] = await this.database.getAllFromIndex('conversations', 'by-updated');
    const conversations = all.filter(isConversation).reverse();
    return { conversations, unreadable: all.length - conversations.length };
  }

  /** The conversation `id`, or null when there is none (or it cannot be read). */
  async get(id: string): Promise<Conversation | null> {
    const found: unknown = await this.database.get('conversations', id);
    return isConversation(found) ? found : null;
  }

  /** Saves a new conversation of `exchanges`, titled by its first question. */
  async create(exchanges: readonly SavedExchange[], now = Date.now()): Promise<Conversation> {
    const conversation: Conversation = { id: newId(), title: conversationTitle(exchanges[0]?.question ?? 'New conversation'), renamed: false, createdAt: now, updatedAt: now, exchanges };
    await this.database.add('conversations', conversation);
    return conversation;
  }

  /**
   * Replaces the exchanges of conversation `id` (after an answer, or after editing dropped later ones); an unrenamed
   * title follows the first question. Returns null when the conversation was deleted meanwhile (in another tab).
   */
  async saveExchanges(id: string, exchanges: readonly SavedExchange[], now = Date.now()): Promise<Conversation | null> {
    return this.update(id, (c) => ({ ...c, exchanges, updatedAt: now, title: c.renamed || !exchanges[0] ? c.title : conversationTitle(exchanges[0].question) }));
  }

  /** Renames conversation `id`; a blank title gives it back its first question. */
  async rename(id: string, title: string): Promise<Conversation | null> {
    const chosen = conversationTitle(title);
    return this.update(id, (c) => (chosen === '' ? { ...c, renamed: false, title: conversationTitle(c.exchanges[0]?.question ?? c.title) } : { ...c, renamed: true, title: chosen }));
  }

  /** Deletes conversation `id` (nothing happens when it is already gone). */
  async delete(id: string): Promise<void> {
    await this.database.delete('conversations', id);
  }

  private async update(id: string, change: (c: Conversation) => Conversation): Promise<Conversation | null> {
    const tx = this.database.transaction('conversations', 'readwrite');
    const found: unknown = await tx.store.get(id);
    if (!isConversation(found)) {
      await tx.done;
      return null;
    }
    const changed = change(found);
    await tx.store.put(changed);
    await tx.done;
    return changed;
  }
}
