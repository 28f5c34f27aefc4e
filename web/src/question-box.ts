/**
 * The question box: it grows with its text up to the height the stylesheet allows (then scrolls), and shows the
 * length counter near the server's limit. Over the limit the box is marked invalid and {@link QuestionBox.isTooLong}
 * holds Send back; the text itself is left alone.
 */
import { MAX_QUESTION_CHARS } from '../../server/protocol.js';
import { lengthStatus } from './question-length.js';

/** Elements of the box in index.html. */
export interface QuestionBoxElements {
  readonly textarea: HTMLTextAreaElement;
  /** The counter under the box. */
  readonly counter: HTMLElement;
}

/** Wires the growing and the counting; `onChange` runs after each change of the text (to enable or disable Send). */
export class QuestionBox {
  private tooLong = false;
  /** The browser cannot size the box to its content by itself: the script does. */
  private readonly measure: boolean;

  constructor(
    private readonly elements: QuestionBoxElements,
    private readonly onChange: () => void,
    private readonly limit: number = MAX_QUESTION_CHARS,
  ) {
    // The stylesheet's `field-sizing: content` grows the box where the browser has it (Chromium); elsewhere it is
    // measured here, which briefly collapses it and so can move the conversation's scroll position by a line.
    this.measure = !CSS.supports('field-sizing', 'content');
    elements.textarea.addEventListener('input', () => this.refresh());
    if (this.measure) {
      // The width decides how many lines the text wraps into; the next frame's fit does not resize inside the callback.
      let width = elements.textarea.clientWidth;
      new ResizeObserver(() => {
        if (elements.textarea.clientWidth === width) return;
        width = elements.textarea.clientWidth;
        requestAnimationFrame(() => this.grow());
      }).observe(elements.textarea);
    }
    this.refresh();
  }

  /** The text as typed. */
  get value(): string {
    return this.elements.textarea.value;
  }

  /** Replaces the text (a starter question, an edited one, or empty once sent) and updates the height and counter. */
  set value(text: string) {
    this.elements.textarea.value = text;
    this.refresh();
  }

  /** True while the text is over the server's limit: it cannot be sent. */
  get isTooLong(): boolean {
    return this.tooLong;
  }

  /** Re-reads the text: the height, the counter and the invalid mark follow it. */
  refresh(): void {
    const { textarea, counter } = this.elements;
    const status = lengthStatus(textarea.value.length, this.limit);
    this.tooLong = status.over > 0;
    counter.hidden = !status.shown;
    if (counter.textContent !== status.text) counter.textContent = status.text;
    counter.classList.toggle('over', this.tooLong);
    if (this.tooLong) textarea.setAttribute('aria-invalid', 'true');
    else textarea.removeAttribute('aria-invalid');
    this.grow();
    this.onChange();
  }

  /** Fits the height to the text; the stylesheet's min- and max-height bound it. */
  private grow(): void {
    if (!this.measure) return;
    const { textarea } = this.elements;
    // CSSOM, not a style attribute: the page's CSP allows the one and forbids the other.
    textarea.style.height = 'auto';
    const borders = textarea.offsetHeight - textarea.clientHeight;
    textarea.style.height = `${textarea.scrollHeight + borders}px`;
  }
}
