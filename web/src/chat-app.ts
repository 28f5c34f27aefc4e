import type { AskFrame, ServerFrame } from '../../server/protocol.js';
import type { ChatTurn } from '../../retrieval/types.js';
import { AnswerView, renderQuestion } from './answer-view.js';
import type { ChatSocket } from './chat-socket.js';
import { QuestionBox } from './question-box.js';
import { recentHistory } from './recent-history.js';
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
}

/** The ask in flight. */
interface CurrentAsk {
  readonly id: string;
  readonly view: AnswerView;
  readonly question: string;
  readonly questionItem: HTMLLIElement;
  /** The box's text when it was sent; cleared once the server has taken the question, if still there. */
  readonly typed: string | null;
  accepted: boolean;
}

/**
 * The conversation: sends questions (with the history for follow-ups), streams answers into the
 * message list, and drives Stop, Retry and New chat. A question leaves the box only once the server has
 * taken it, so a dropped connection never loses what was typed.
 */
export class ChatApp {
  private turns: ChatTurn[] = [];
  private current: CurrentAsk | null = null;
  /** False while the server cannot be reached: nothing can be sent. */
  private online = true;
  private readonly box: QuestionBox;

  constructor(
    private readonly elements: ChatElements,
    private readonly socket: ChatSocket,
    private readonly sources: SourcePanel,
    private readonly scroll: ScrollFollow,
  ) {
    const { form, question, stop, newChat } = elements;
    this.box = new QuestionBox({ textarea: question, counter: elements.counter }, () => this.refreshControls());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    question.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    stop.addEventListener('click', () => this.stop());
    newChat.addEventListener('click', () => this.newChat());
  }

  /** Asks `question` as if it had been typed and sent (a starter question): while it cannot be sent, it waits in the box. */
  askAsTyped(question: string): void {
    this.box.value = question;
    this.submit();
  }

  /** The connection went down (`false`) or came back: sending is possible only while it is up. */
  setOnline(online: boolean): void {
    this.online = online;
    this.refreshControls();
  }

  private submit(): void {
    // Over the limit nothing is sent, and nothing is cut: the counter says how much to remove.
    if (this.box.isTooLong) return;
    const typed = this.box.value;
    this.ask(typed.trim(), typed);
  }

  /** Asks `question` at the end of the conversation; `typed` is the box's text it came from, if any. */
  private ask(question: string, typed: string | null): void {
    const { messages, emptyHint } = this.elements;
    if (question === '' || this.current || !this.online) return;
    emptyHint.hidden = true;
    const view = new AnswerView((target, opener) => void this.sources.open(target, opener));
    const questionItem = renderQuestion(question);
    messages.append(questionItem, view.element);
    const history: AskFrame['history'] = recentHistory(this.turns);
    const id = this.socket.ask(question, history, (frame) => this.onFrame(frame));
    this.current = { id, view, question, questionItem, typed, accepted: false };
    this.setStreaming(true);
    this.scroll.follow(view.element);
  }

  /** Asks a failed question again, in place of the failed exchange. */
  private retry(failed: CurrentAsk): void {
    if (this.current || !this.online) return;
    failed.questionItem.remove();
    failed.view.element.remove();
    this.ask(failed.question, null);
  }

  private onFrame(frame: ServerFrame): void {
    const current = this.current;
    if (!current || frame.id !== current.id) return;
    if (!current.accepted && frame.type !== 'error') {
      // The server has the question: the box may be emptied, unless the reader has already typed something else.
      current.accepted = true;
      if (current.typed !== null && this.box.value === current.typed) this.box.value = '';
    }
    switch (frame.type) {
      case 'passages':
        current.view.setPassages(frame.passages);
        break;
      case 'token':
        current.view.appendToken(frame.text);
        break;
      case 'citation':
        current.view.addCitation(frame.citation);
        break;
      case 'done':
        current.view.finish(frame.result);
        this.turns.push({ role: 'user', content: current.question }, { role: 'assistant', content: frame.result.answer });
        this.end();
        break;
      case 'error':
        current.view.fail(frame.code, frame.message, () => this.retry(current));
        this.end();
        break;
    }
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
    current.view.fail('ABORTED', 'stopped by you');
    this.end();
  }

  private newChat(): void {
    this.stop();
    this.turns = [];
    this.elements.messages.replaceChildren();
    this.elements.emptyHint.hidden = false;
    this.scroll.jumpToLatest();
    if (this.sources.isOpen) this.sources.close();
    this.box.value = '';
    this.elements.question.focus();
  }

  private setStreaming(streaming: boolean): void {
    this.elements.stop.hidden = !streaming;
    this.refreshControls();
  }

  /** Send and every Retry work only while connected and no answer is streaming; Send also needs a question that fits. */
  private refreshControls(): void {
    const { send, messages } = this.elements;
    const blocked = this.current !== null || !this.online;
    // Before the constructor has made the box, its first refresh runs this: the box is not yet there to ask.
    send.disabled = blocked || (this.box?.isTooLong ?? false);
    for (const retry of messages.querySelectorAll<HTMLButtonElement>('button.retry')) retry.disabled = blocked;
  }
}
