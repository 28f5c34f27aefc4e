import type { AskFrame, ServerFrame } from '../../server/protocol.js';
import type { AskResult, ChatTurn } from '../../retrieval/types.js';
import { leadingShortAnswer } from './answer-confidence.js';
import { answerFeedback, type SendFeedback } from './answer-feedback.js';
import { answerMarkdown } from './answer-markdown.js';
import { AnswerView, renderQuestion, type AnswerViewOptions } from './answer-view.js';
import type { ChatSocket } from './chat-socket.js';
import { copyButton } from './copy-button.js';
import type { SavedExchange } from './conversation-store.js';
import { el } from './dom.js';
import { FOLLOW_UPS_CLASS, followUpSuggestions, type FetchFollowUps } from './follow-up-suggestions.js';
import { QuestionBox } from './question-box.js';
import { recentHistory } from './recent-history.js';
import { citationsOf, recheckCitations, type DocumentText } from './recheck-citations.js';
import type { ScrollFollow } from './scroll-follow.js';
import type { SourcePanel } from './source-panel.js';

/** Elements of the chat in index.html. */
export interface ChatElements {
  readonly form: HTMLFormElement;
  readonly question: HTMLTextAreaElement;
  /** The length counter under the question box. */
  readonly counter: HTMLElement;
  readonly send: HTMLButtonElement;
  readonly stop: HTMLButtonElement;
  readonly newChat: HTMLButtonElement;
  readonly messages: HTMLOListElement;
  /** What an empty conversation shows (the first-load panel); hidden once a question is asked. */
  readonly emptyHint: HTMLElement;
  /** Shown above the box while an earlier question is being edited. */
  readonly editNotice: HTMLElement;
  /** Leaves editing, in the notice. */
  readonly cancelEdit: HTMLButtonElement;
}

/** Names a document for a copied answer: its title, or its id. */
export type DocumentTitleOf = (docId: string) => Promise<string>;

/** How the conversation is kept across reloads (see `ConversationSession`). */
export interface ConversationKeeping {
  /** The answered exchanges changed (an answer finished, or editing, retrying or regenerating dropped some). */
  readonly onChange: (exchanges: readonly SavedExchange[]) => void;
  /** New chat was pressed: what is asked next starts a new conversation. */
  readonly onNewChat: () => void;
  /** A document's current text, to check the citations of a restored answer against. */
  readonly documentText: DocumentText;
}

/** One question and its answer in the conversation. */
interface Exchange {
  readonly question: string;
  readonly questionItem: HTMLLIElement;
  readonly view: AnswerView;
  /** The earlier turns it was asked with. */
  readonly history: NonNullable<AskFrame['history']>;
  readonly askedAt: number;
  /** The finished answer; null while streaming, and for an answer that failed or was stopped. */
  result: AskResult | null;
  /** When `result` arrived (0 until it has). */
  answeredAt: number;
}

/** The ask in flight. */
interface CurrentAsk {
  readonly id: string;
  readonly exchange: Exchange;
  /** The box's text when it was sent; cleared once the server has taken the question, if still there. */
  readonly typed: string | null;
  accepted: boolean;
}

/**
 * The conversation: sends questions (with the history for follow-ups), streams answers into the message list, and
 * drives Stop, Retry, Copy, Edit, Regenerate, feedback and New chat. A question leaves the box only once the server has taken
 * it, so a dropped connection never loses what was typed. Editing an earlier question continues the conversation from
 * there, as chat tools do: sending it replaces that exchange and every later one, and their turns leave the history.
 */
export class ChatApp {
  private exchanges: Exchange[] = [];
  private current: CurrentAsk | null = null;
  /** False while the server cannot be reached: nothing can be sent. */
  private online = true;
  private readonly box: QuestionBox;
  /** The exchange whose question is in the box to be changed and sent again; null when not editing. */
  private editing: Exchange | null = null;

  constructor(
    private readonly elements: ChatElements,
    private readonly socket: ChatSocket,
    private readonly sources: SourcePanel,
    private readonly scroll: ScrollFollow,
    private readonly titleOf: DocumentTitleOf,
    /** How answers show their citations: titles and the preview. */
    private readonly citations: Omit<AnswerViewOptions, 'openSource'>,
    private readonly sendFeedback: SendFeedback,
    private readonly keeping: ConversationKeeping,
    /** Follow-up questions for the latest answer. */
    private readonly fetchFollowUps: FetchFollowUps,
  ) {
    const { form, question, stop, newChat, cancelEdit } = elements;
    this.box = new QuestionBox({ textarea: question, counter: elements.counter }, () => this.refreshControls());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    question.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      } else if (event.key === 'Escape' && this.editing) {
        event.preventDefault();
        this.cancelEdit();
      }
    });
    stop.addEventListener('click', () => this.stop());
    newChat.addEventListener('click', () => this.newChat());
    cancelEdit.addEventListener('click', () => this.cancelEdit());
  }

  /** Asks `question` as if it had been typed and sent (a starter question): while it cannot be sent, it waits in the box. */
  askAsTyped(question: string): void {
    this.box.value = question;
    this.submit();
  }

  /**
   * Shows a saved conversation in place of this one (what is typed in the box stays). Its answers render through
   * the same view as live ones, with Copy, Regenerate and Edit, and their citations are checked again against the
   * documents as they are now; a follow-up continues it, with its earlier turns as history.
   */
  show(exchanges: readonly SavedExchange[]): void {
    this.clear();
    for (const saved of exchanges) {
      const exchange = this.addExchange(saved.question, saved.askedAt, saved.answeredAt);
      exchange.view.finish(saved.result);
      exchange.result = saved.result;
      exchange.view.element.append(this.answerActions(exchange), this.feedback(exchange, saved.result));
      void recheckCitations(citationsOf(saved.result), this.keeping.documentText).then((checks) => {
        if (exchange.view.element.isConnected) exchange.view.showRecheck(checks);
      });
    }
    this.elements.emptyHint.hidden = exchanges.length > 0;
    this.refreshControls();
    this.scroll.jumpToLatest();
  }

  /** Starts a new conversation, as the New chat button does. */
  newChat(): void {
    this.clear();
    this.box.value = '';
    this.elements.question.focus();
    this.keeping.onNewChat();
  }

  /** The connection went down (`false`) or came back: sending is possible only while it is up. */
  setOnline(online: boolean): void {
    this.online = online;
    this.refreshControls();
  }

  private submit(): void {
    // Over the limit nothing is sent, and nothing is cut: the counter says how much to remove.
    if (this.box.isTooLong || this.current || !this.online) return;
    const typed = this.box.value;
    const question = typed.trim();
    if (question === '') return;
    if (this.editing) this.dropFrom(this.editing);
    this.ask(question, typed);
  }

  /** The turns of the answered exchanges before `until` (all of them when undefined), oldest first. */
  private turnsBefore(until?: Exchange): ChatTurn[] {
    const end = until ? this.exchanges.indexOf(until) : this.exchanges.length;
    return this.exchanges.slice(0, end).flatMap((x) => (x.result ? [{ role: 'user' as const, content: x.question }, { role: 'assistant' as const, content: x.result.answer }] : []));
  }

  /**
   * Adds a question and its (empty) answer view at the end of the conversation, with the turns before it as its
   * history; `answeredAt` is set for a saved answer, whose citations the source panel then checks knowing the
   * document may have changed since.
   */
  private addExchange(question: string, askedAt: number, answeredAt?: number): Exchange {
    const view = new AnswerView({ ...this.citations, openSource: (target, opener, current) => void this.sources.open(answeredAt === undefined ? target : { ...target, answeredAt }, opener, current) });
    const questionItem = renderQuestion(question);
    const history = recentHistory(this.turnsBefore());
    const exchange: Exchange = { question, questionItem, view, history, askedAt, result: null, answeredAt: answeredAt ?? 0 };
    questionItem.append(this.editButton(exchange));
    this.elements.messages.append(questionItem, view.element);
    this.exchanges.push(exchange);
    return exchange;
  }

  /** Tells the keeper what the answered exchanges are now. */
  private changed(): void {
    this.keeping.onChange(this.exchanges.flatMap((x) => (x.result ? [{ question: x.question, result: x.result, askedAt: x.askedAt, answeredAt: x.answeredAt }] : [])));
  }

  /** Asks `question` at the end of the conversation; `typed` is the box's text it came from, if any. */
  private ask(question: string, typed: string | null): void {
    if (question === '' || this.current || !this.online) return;
    this.elements.emptyHint.hidden = true;
    // Follow-ups are offered on the latest answer only.
    for (const group of this.elements.messages.querySelectorAll(`.${FOLLOW_UPS_CLASS}`)) group.remove();
    const exchange = this.addExchange(question, Date.now());
    const { view, history } = exchange;
    const id = this.socket.ask(question, history, (frame) => this.onFrame(frame));
    this.current = { id, exchange, typed, accepted: false };
    this.setStreaming(true);
    this.scroll.follow(view.element);
  }

  /** Removes `from` and every later exchange, from the page and from the history. */
  private dropFrom(from: Exchange): void {
    const at = this.exchanges.indexOf(from);
    if (at < 0) return;
    const dropped = this.exchanges.splice(at);
    for (const x of dropped) {
      x.questionItem.remove();
      x.view.element.remove();
    }
    this.leaveEditing();
    if (dropped.some((x) => x.result)) this.changed();
  }

  /** Asks a failed question again at the end of the conversation, in place of the failed exchange. */
  private retry(failed: Exchange): void {
    if (this.current || !this.online) return;
    const at = this.exchanges.indexOf(failed);
    if (at >= 0) this.exchanges.splice(at, 1);
    failed.questionItem.remove();
    failed.view.element.remove();
    if (this.editing === failed) this.leaveEditing();
    if (failed.result) this.changed();
    this.ask(failed.question, null);
  }

  /** Asks the last question again, in place of its answer, with the same history. */
  private regenerate(last: Exchange): void {
    if (this.exchanges.at(-1) !== last) return;
    this.retry(last);
  }

  /** Puts an earlier question in the box to change and send again. */
  private edit(exchange: Exchange): void {
    if (this.current) return;
    this.leaveEditing();
    this.editing = exchange;
    exchange.questionItem.classList.add('editing');
    this.elements.editNotice.hidden = false;
    this.box.value = exchange.question;
    const { question } = this.elements;
    question.focus();
    question.setSelectionRange(question.value.length, question.value.length);
  }

  private cancelEdit(): void {
    this.leaveEditing();
    this.box.value = '';
    this.elements.question.focus();
  }

  private leaveEditing(): void {
    this.editing?.questionItem.classList.remove('editing');
    this.editing = null;
    this.elements.editNotice.hidden = true;
  }

  private onFrame(frame: ServerFrame): void {
    const current = this.current;
    if (!current || frame.id !== current.id) return;
    if (!current.accepted && frame.type !== 'error') {
      // The server has the question: the box may be emptied, unless the reader has already typed something else.
      current.accepted = true;
      if (current.typed !== null && this.box.value === current.typed) this.box.value = '';
    }
    const { exchange } = current;
    switch (frame.type) {
      case 'passages':
        exchange.view.setPassages(frame.passages);
        break;
      case 'token':
        exchange.view.appendToken(frame.text, frame.draft === true);
        break;
      case 'verification':
        exchange.view.addVerification(frame.sentence);
        break;
      case 'citation':
        exchange.view.addCitation(frame.citation);
        break;
      case 'done':
        exchange.view.finish(frame.result);
        exchange.result = frame.result;
        exchange.answeredAt = Date.now();
        exchange.view.element.append(this.answerActions(exchange), this.feedback(exchange, frame.result));
        if (!frame.result.abstained && frame.result.citations.length > 0) exchange.view.element.append(this.followUps(exchange, frame.result));
        this.end();
        this.changed();
        break;
      case 'error':
        exchange.view.fail(frame.code, frame.message, () => this.retry(exchange));
        this.end();
        break;
    }
  }

  /** Under a finished answer: Copy (as Markdown with its sources) and Regenerate (shown on the last answer only). */
  private answerActions(exchange: Exchange): HTMLElement {
    const copy = copyButton({
      label: 'Copy',
      accessibleName: 'Copy answer with its sources',
      text: async () => {
        const result = exchange.result!;
        const titles = new Map(await Promise.all([...new Set(result.citations.map((c) => c.docId))].map(async (id) => [id, await this.titleOf(id)] as const)));
        return answerMarkdown(result, (id) => titles.get(id) ?? id);
      },
    });
    const regenerate = el('button', { className: 'regenerate link-button', attrs: { type: 'button', 'aria-label': 'Regenerate the answer' } }, 'Regenerate');
    regenerate.addEventListener('click', () => this.regenerate(exchange));
    return el('div', { className: 'answer-actions', attrs: { role: 'group', 'aria-label': 'Answer actions' } }, copy, regenerate);
  }

  /** Under the actions: thumbs up or down on this answer, as the reader saw it, with an optional note. */
  private feedback(exchange: Exchange, result: AskResult): HTMLElement {
    const { answer, abstained, citations } = result;
    return answerFeedback({ about: { question: exchange.question, history: exchange.history, answer, shortAnswer: leadingShortAnswer(result), abstained, citations }, send: this.sendFeedback });
  }

  /** Under the latest answer: questions the documents answer about what it cites; one asks it next, in this conversation. */
  private followUps(exchange: Exchange, result: AskResult): HTMLElement {
    const citations = result.citations.map(({ docId, start, end }) => ({ docId, start, end }));
    return followUpSuggestions({
      about: { question: exchange.question, history: exchange.history, citations },
      fetch: this.fetchFollowUps,
      ask: (question) => {
        if (this.current || !this.online) return;
        this.leaveEditing();
        this.elements.question.focus();
        this.ask(question, null);
      },
    });
  }

  private editButton(exchange: Exchange): HTMLButtonElement {
    const button = el('button', { className: 'edit link-button', attrs: { type: 'button', 'aria-label': `Edit question: ${exchange.question}` } }, 'Edit');
    button.addEventListener('click', () => this.edit(exchange));
    return button;
  }

  private end(): void {
    this.current = null;
    this.setStreaming(false);
    // Keep the keyboard where the user types next, unless they moved into the source panel.
    if (!this.sources.isOpen) this.elements.question.focus();
  }

  /**
   * Stops the answer at once, on the page: the server is told to cancel, and whatever it had already sent (on a slow
   * connection, possibly the rest of the answer) is dropped unread, so what the reader sees is what they stopped.
   */
  private stop(): void {
    const current = this.current;
    if (!current) return;
    this.socket.cancel(current.id);
    this.socket.forget(current.id);
    current.exchange.view.fail('ABORTED', 'stopped by you');
    this.end();
  }

  /** Empties the conversation on the page (an answer streaming is stopped first). */
  private clear(): void {
    this.stop();
    this.leaveEditing();
    this.exchanges = [];
    this.elements.messages.replaceChildren();
    this.elements.emptyHint.hidden = false;
    this.scroll.jumpToLatest();
    if (this.sources.isOpen) this.sources.close();
  }

  private setStreaming(streaming: boolean): void {
    this.elements.stop.hidden = !streaming;
    this.refreshControls();
  }

  /**
   * Send and every Retry, Edit, Regenerate and follow-up work only while connected and no answer is streaming; Send also needs a
   * question that fits, and Regenerate is offered on the last answer only.
   */
  private refreshControls(): void {
    const { send, messages } = this.elements;
    const blocked = this.current !== null || !this.online;
    // Before the constructor has made the box, its first refresh runs this: the box is not yet there to ask.
    send.disabled = blocked || (this.box?.isTooLong ?? false);
    for (const button of messages.querySelectorAll<HTMLButtonElement>('button.retry, button.edit, button.regenerate, button.follow-up')) button.disabled = blocked;
    const last = this.exchanges.at(-1)?.view.element;
    for (const button of messages.querySelectorAll<HTMLButtonElement>('button.regenerate')) button.hidden = !last?.contains(button);
  }
}
