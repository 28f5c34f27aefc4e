/**
 * Thumbs up / thumbs down under a finished answer, with an optional note, sent to the server's feedback log
 * (`POST /api/feedback`), from which `npm run eval -- --from-feedback` makes eval items. Choosing a thumb presses it
 * (`aria-pressed`) and opens the note; Send stores the verdict and says so, or says what went wrong and offers Retry,
 * the note kept. Choosing the other thumb afterwards sends a new verdict; the latest counts.
 */
import type { FeedbackReceipt, FeedbackRequest } from '../../server/protocol.js';
import { el } from './dom.js';

/** Longest note the server accepts (`MAX_FEEDBACK_NOTE_CHARS`). */
const MAX_NOTE_CHARS = 2000;

/** Sends one verdict; rejects with an error whose message a reader can act on. */
export type SendFeedback = (request: FeedbackRequest) => Promise<FeedbackReceipt>;

/** Options of {@link answerFeedback}. */
export interface AnswerFeedbackOptions {
  /** The exchange the verdict is about, as the reader saw it. */
  readonly about: Omit<FeedbackRequest, 'verdict' | 'note'>;
  readonly send: SendFeedback;
}

type Verdict = FeedbackRequest['verdict'];

/** Each thumb's name and the note's prompt after it is chosen. */
const THUMBS: Readonly<Record<Verdict, { readonly name: string; readonly prompt: string }>> = {
  up: { name: 'Good answer', prompt: 'Anything to add? (optional)' },
  down: { name: 'Wrong or unhelpful answer', prompt: 'What was wrong? (optional)' },
};

/**
 * A thumb drawn as SVG (the shape of Material Icons' `thumb_up`, Apache License 2.0), not an emoji, which shows as an
 * empty box where no emoji font is installed; thumbs down is the same shape turned over in the stylesheet. Built
 * with `createElementNS`, so no markup is parsed.
 */
function thumbIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [name, value] of Object.entries({ viewBox: '0 0 24 24', width: '18', height: '18', fill: 'currentColor', 'aria-hidden': 'true', focusable: 'false' })) svg.setAttribute(name, value);
  const shape = document.createElementNS(ns, 'path');
  shape.setAttribute('d', 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z');
  svg.append(shape);
  return svg;
}

/** The feedback controls of one answer. */
export function answerFeedback(options: AnswerFeedbackOptions): HTMLElement {
  let verdict: Verdict | null = null;
  let sending = false;
  const thumbs = new Map<Verdict, HTMLButtonElement>();
  for (const v of ['up', 'down'] as const) {
    const { name } = THUMBS[v];
    const button = el('button', { className: `thumb thumb-${v}`, attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': name, title: name } }, thumbIcon());
    button.addEventListener('click', () => choose(v));
    thumbs.set(v, button);
  }
  const prompt = el('span', { className: 'feedback-prompt' });
  const note = el('textarea', { className: 'feedback-note', attrs: { rows: '2', maxlength: String(MAX_NOTE_CHARS) } });
  const submit = el('button', { className: 'feedback-send secondary', attrs: { type: 'submit' } }, 'Send feedback');
  const form = el('form', { className: 'feedback-form' }, el('label', { className: 'feedback-label' }, prompt, note), submit);
  form.hidden = true;
  const status = el('p', { className: 'feedback-status', attrs: { role: 'status' } });
  const failure = el('p', { className: 'feedback-error', attrs: { role: 'alert' } });
  const retry = el('button', { className: 'feedback-retry link-button', attrs: { type: 'button' } }, 'Retry');
  retry.addEventListener('click', () => form.requestSubmit());
  const failed = el('div', { className: 'feedback-failed' }, failure, retry);
  failed.hidden = true;

  function choose(v: Verdict): void {
    if (sending) return;
    verdict = v;
    for (const [key, button] of thumbs) button.setAttribute('aria-pressed', String(key === v));
    prompt.textContent = THUMBS[v].prompt;
    status.textContent = '';
    failed.hidden = true;
    form.hidden = false;
    note.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (verdict === null || sending) return;
    sending = true;
    submit.disabled = true;
    failed.hidden = true;
    status.textContent = 'Sending…';
    try {
      const text = note.value.trim();
      await options.send({ ...options.about, verdict, ...(text ? { note: text } : {}) });
      form.hidden = true;
      note.value = '';
      status.textContent = 'Thanks — saved.';
    } catch (error) {
      status.textContent = '';
      failure.textContent = `Your feedback was not saved: ${(error as Error).message}`;
      failed.hidden = false;
    } finally {
      sending = false;
      submit.disabled = false;
    }
  });

  return el('div', { className: 'answer-feedback' }, el('div', { className: 'feedback-thumbs', attrs: { role: 'group', 'aria-label': 'Rate this answer' } }, ...thumbs.values()), form, status, failed);
}
