/**
 * The side panel of saved conversations: the list (most recent first, the open one marked), a search over titles and
 * questions, and Rename, Export and Delete on each, all usable from the keyboard. Delete asks first. At phone width
 * the panel is a drawer behind a "Conversations" button, closed again by choosing a conversation, Close or Escape.
 */
import type { Conversation } from './conversation-store.js';
import { el } from './dom.js';

/** Elements of the panel in index.html. */
export interface ConversationPanelElements {
  readonly panel: HTMLElement;
  readonly search: HTMLInputElement;
  /** Says what the list shows (nothing saved yet, no match) and what went wrong. */
  readonly status: HTMLElement;
  readonly list: HTMLUListElement;
  /** Opens the drawer at phone width (hidden on wider screens). */
  readonly toggle: HTMLButtonElement;
  /** Closes the drawer at phone width. */
  readonly closeButton: HTMLButtonElement;
  /** The chat beside the panel; inert while the drawer covers it. */
  readonly background: HTMLElement;
}

/** What the panel's controls do; the panel itself keeps nothing. */
export interface ConversationPanelActions {
  open(id: string): void;
  rename(id: string, title: string): void;
  delete(id: string): void;
  export(id: string): void;
}

/** Must match the phone-width media query in styles.css, where the panel is a drawer over the chat. */
const DRAWER_QUERY = '(max-width: 800px)';

/** True when the conversation's title or any of its questions contains every word of `query` (any case). */
export function matchesSearch(conversation: Pick<Conversation, 'title' | 'exchanges'>, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [conversation.title, ...conversation.exchanges.map((x) => x.question)].join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The list of saved conversations. */
export class ConversationPanel {
  private conversations: readonly Conversation[] = [];
  private currentId: string | null = null;
  private available = true;

  constructor(
    private readonly elements: ConversationPanelElements,
    private readonly actions: ConversationPanelActions,
  ) {
    elements.search.addEventListener('input', () => this.renderList());
    elements.toggle.addEventListener('click', () => (this.isDrawerOpen ? this.closeDrawer() : this.openDrawer()));
    elements.closeButton.addEventListener('click', () => this.closeDrawer());
    elements.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.isDrawerOpen && !event.defaultPrevented) {
        event.preventDefault();
        this.closeDrawer();
      }
    });
    window.matchMedia(DRAWER_QUERY).addEventListener('change', (event) => {
      if (!event.matches) this.closeDrawer(false);
    });
  }

  /** Shows `conversations` (most recent first), marking `currentId` as the one open. */
  show(conversations: readonly Conversation[], currentId: string | null): void {
    this.conversations = conversations;
    this.currentId = currentId;
    this.renderList();
  }

  /** Marks the conversation open on the page (null: a new one, not saved yet). */
  setCurrent(id: string | null): void {
    this.currentId = id;
    for (const item of this.elements.list.querySelectorAll<HTMLLIElement>('li.conversation')) {
      const open = item.querySelector('.conversation-open');
      if (item.dataset.id === id) open?.setAttribute('aria-current', 'true');
      else open?.removeAttribute('aria-current');
    }
  }

  /** Says something went wrong (saving, loading, exporting) and what it means; replaced by the next list change. */
  problem(message: string): void {
    this.elements.status.textContent = message;
    this.elements.status.dataset.tone = 'warning';
  }

  /** The browser cannot keep conversations: the panel says so, and why, instead of a list that would stay empty. */
  unavailable(reason: string): void {
    this.available = false;
    this.elements.search.disabled = true;
    this.elements.list.replaceChildren();
    this.problem(`Conversations cannot be kept in this browser (${reason}): this one lasts until the page is reloaded.`);
    this.elements.panel.dataset.state = 'unavailable';
  }

  /** The list has loaded (tests and styles wait for it). */
  markReady(): void {
    if (this.available) this.elements.panel.dataset.state = 'ready';
  }

  /** Puts the keyboard on a conversation's title button or its Rename; on the search box when there is none. */
  focus(id: string | null, control: 'open' | 'rename' = 'open'): void {
    const item = id === null ? null : this.item(id);
    const target = item?.querySelector<HTMLButtonElement>(control === 'open' ? '.conversation-open' : '.rename');
    if (target) target.focus();
    else this.elements.search.focus();
  }

  /** True while a rename or a delete question is open in the list (a new list would throw it away). */
  get isBusy(): boolean {
    return this.elements.list.querySelector('.rename-form, .delete-confirm') !== null;
  }

  /** Closes the drawer at phone width after a conversation was chosen; nothing changes on wider screens. */
  closeDrawer(returnFocus = true): void {
    if (!this.isDrawerOpen) return;
    document.body.classList.remove('conversations-open');
    this.elements.toggle.setAttribute('aria-expanded', 'false');
    this.elements.background.inert = false;
    if (returnFocus) this.elements.toggle.focus();
  }

  private openDrawer(): void {
    document.body.classList.add('conversations-open');
    this.elements.toggle.setAttribute('aria-expanded', 'true');
    this.elements.background.inert = window.matchMedia(DRAWER_QUERY).matches;
    (this.elements.list.querySelector<HTMLElement>('[aria-current="true"]') ?? this.elements.search).focus();
  }

  private get isDrawerOpen(): boolean {
    return document.body.classList.contains('conversations-open');
  }

  private item(id: string): HTMLLIElement | null {
    for (const item of this.elements.list.querySelectorAll<HTMLLIElement>('li.conversation')) if (item.dataset.id === id) return item;
    return null;
  }

  private renderList(): void {
    if (!this.available) return;
    const { list, status, search } = this.elements;
    const query = search.value.trim();
    const shown = this.conversations.filter((c) => matchesSearch(c, query));
    list.replaceChildren(...shown.map((c) => this.renderItem(c)));
    delete status.dataset.tone;
    if (this.conversations.length === 0) status.textContent = 'No saved conversations yet: each answered question is kept here, in this browser.';
    else if (shown.length === 0) status.textContent = `No conversation matches “${query}”.`;
    else if (query) status.textContent = `${shown.length} of ${this.conversations.length} conversations match “${query}”.`;
    else status.textContent = '';
  }

  private renderItem(c: Conversation): HTMLLIElement {
    const questions = c.exchanges.length;
    const open = el(
      'button',
      { className: 'conversation-open', attrs: { type: 'button' } },
      el('span', { className: 'conversation-title' }, c.title),
      el('span', { className: 'conversation-meta' }, `${when(c.updatedAt)} · ${questions} question${questions === 1 ? '' : 's'}`),
    );
    if (c.id === this.currentId) open.setAttribute('aria-current', 'true');
    open.addEventListener('click', () => {
      this.actions.open(c.id);
      this.closeDrawer(false);
    });
    const item = el('li', { className: 'conversation', attrs: { 'data-id': c.id } }, open);
    item.append(this.actionRow(c, item));
    return item;
  }

  /** Rename, Export and Delete for one conversation. */
  private actionRow(c: Conversation, item: HTMLLIElement): HTMLElement {
    const button = (className: string, label: string, name: string, action: () => void) => {
      const b = el('button', { className: `${className} link-button`, attrs: { type: 'button', 'aria-label': `${name}: ${c.title}` } }, label);
      b.addEventListener('click', action);
      return b;
    };
    return el(
      'div',
      { className: 'conversation-actions' },
      button('rename', 'Rename', 'Rename conversation', () => this.startRename(c, item)),
      button('export', 'Export', 'Export conversation as Markdown', () => this.actions.export(c.id)),
      button('delete', 'Delete', 'Delete conversation', () => this.confirmDelete(c, item)),
    );
  }

  /** Puts the title in a text field: Enter or Save renames, Escape or Cancel leaves it as it was. */
  private startRename(c: Conversation, item: HTMLLIElement): void {
    const inputId = `rename-${c.id}`;
    const input = el('input', { className: 'rename-input', attrs: { id: inputId, type: 'text', maxlength: '200', autocomplete: 'off' } });
    input.value = c.title;
    const save = el('button', { className: 'link-button', attrs: { type: 'submit' } }, 'Save');
    const cancel = el('button', { className: 'link-button', attrs: { type: 'button' } }, 'Cancel');
    const form = el('form', { className: 'rename-form', attrs: { 'aria-label': `Rename conversation: ${c.title}` } }, el('label', { className: 'sr-only', attrs: { for: inputId } }, 'New title'), input, save, cancel);
    const restore = () => {
      form.replaceWith(...children);
      this.focus(c.id, 'rename');
    };
    const children = [...item.childNodes];
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const title = input.value;
      restore();
      // A blank title gives the conversation back its first question.
      if (title.trim() !== c.title) this.actions.rename(c.id, title);
    });
    cancel.addEventListener('click', restore);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        restore();
      }
    });
    item.replaceChildren(form);
    input.focus();
    input.select();
  }

  /** Asks before deleting: the conversation cannot be brought back. */
  private confirmDelete(c: Conversation, item: HTMLLIElement): void {
    const children = [...item.childNodes];
    const keep = el('button', { className: 'secondary', attrs: { type: 'button' } }, 'Keep');
    const remove = el('button', { className: 'danger', attrs: { type: 'button' } }, 'Delete');
    const question = el('p', { className: 'delete-question', attrs: { id: `delete-${c.id}` } }, `Delete “${c.title}”? It cannot be brought back.`);
    const box = el('div', { className: 'delete-confirm', attrs: { role: 'group', 'aria-labelledby': `delete-${c.id}` } }, question, el('div', { className: 'delete-buttons' }, remove, keep));
    const back = () => {
      item.replaceChildren(...children);
      item.querySelector<HTMLButtonElement>('.delete')?.focus();
    };
    keep.addEventListener('click', back);
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        back();
      }
    });
    remove.addEventListener('click', () => this.actions.delete(c.id));
    item.replaceChildren(box);
    keep.focus();
  }
}
