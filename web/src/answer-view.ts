import { ABSTENTION_TEXT } from '../../prompts/grounded-answer-prompt.js';
import type { AskResult, Citation } from '../../retrieval/types.js';
import { abstentionSentence } from './abstention-reasons.js';
import { confidenceLabel, leadingShortAnswer, searchedFor } from './answer-confidence.js';
import { StreamingAnswerSplitter, splitAnswer, type AnswerSegment } from './answer-text.js';
import { copyButton } from './copy-button.js';
import { el } from './dom.js';
import type { SourceTarget } from './source-panel.js';

type Passage = AskResult['passages'][number];

/** Opens a span in the source panel; `opener` gets focus back when it closes. */
export type OpenSource = (target: SourceTarget, opener: HTMLElement) => void;

/** Passages offered when the answer abstains. */
const NEAREST_ON_ABSTAIN = 3;
/** Characters of a passage shown in the list. */
const SNIPPET_CHARS = 280;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS).trimEnd()}…` : flat;
}

/** The user's question as a message. */
export function renderQuestion(question: string): HTMLLIElement {
  return el('li', { className: 'message user' }, el('p', { className: 'speaker sr-only' }, 'You asked:'), el('p', { className: 'question-text' }, question));
}

/**
 * One answer as it streams in: tokens become text, markers become citation buttons, and the finished
 * result adds the short answer (first and emphasised, only when it is confident; otherwise the quoted
 * sentence leads and the unconfident phrase is not shown), the confidence, the reason for an abstention,
 * the cited sources and the retrieved passages.
 */
export class AnswerView {
  /** The `<li>` to put in the message list. */
  readonly element: HTMLLIElement;
  private readonly speaker: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly extras: HTMLElement;
  private readonly splitter = new StreamingAnswerSplitter();
  private readonly citations = new Map<number, Citation>();
  private readonly markers: HTMLButtonElement[] = [];
  private streamedText = '';
  private passages: readonly Passage[] = [];

  constructor(private readonly openSource: OpenSource) {
    this.speaker = el('p', { className: 'speaker sr-only' }, 'Verbatim answered:');
    this.body = el('p', { className: 'answer-text', attrs: { 'aria-live': 'polite', 'aria-atomic': 'false' } });
    this.status = el('p', { className: 'answer-status', attrs: { role: 'status' } }, 'Searching the documents…');
    this.extras = el('div', { className: 'answer-extras' });
    this.element = el('li', { className: 'message assistant', attrs: { 'aria-busy': 'true' } }, this.speaker, this.body, this.status, this.extras);
  }

  /** Retrieval is done: the answer is being written from these passages. */
  setPassages(passages: readonly Passage[]): void {
    this.passages = passages;
    this.status.textContent = `Found ${passages.length} passage${passages.length === 1 ? '' : 's'}; writing the answer…`;
  }

  /** Appends a streamed piece of the answer. */
  appendToken(text: string): void {
    this.streamedText += text;
    this.appendSegments(this.splitter.push(text));
  }

  /** A marker's citation is known: its button becomes openable. */
  addCitation(citation: Citation): void {
    this.citations.set(citation.n, citation);
    for (const button of this.markers) if (Number(button.dataset.n) === citation.n) this.describeMarker(button);
  }

  /** The answer is complete. */
  finish(result: AskResult): void {
    this.appendSegments(this.splitter.flush());
    for (const citation of result.citations) this.citations.set(citation.n, citation);
    this.passages = result.passages;
    if (this.streamedText !== result.answer) {
      this.body.replaceChildren();
      this.markers.length = 0;
      this.appendSegments(splitAnswer(result.answer));
    }
    for (const button of this.markers) this.describeMarker(button);
    this.element.setAttribute('aria-busy', 'false');
    this.status.textContent = '';
    this.status.hidden = true;

    if (result.abstained) {
      this.element.classList.add('abstained');
      this.body.replaceChildren(el('strong', {}, ABSTENTION_TEXT));
      this.markers.length = 0;
      const reason = abstentionSentence(result.abstentionReason);
      if (reason) this.body.after(el('p', { className: 'abstention-reason', attrs: { 'data-reason': result.abstentionReason ?? '' } }, reason));
      this.status.before(this.metaLine(result));
      const nearest = result.passages.slice(0, NEAREST_ON_ABSTAIN);
      if (nearest.length) {
        this.extras.append(el('p', { className: 'nearest-intro' }, 'No passage answers this directly. These came closest:'), this.passageList(nearest, 'Nearest passage'));
      }
      return;
    }
    // An unconfident phrase is left out entirely: in bold above the sentence it reads as the answer, and it was
    // wrong often enough ("a turning point" for "Who is Ian McCartney?") to mislead more than it helps.
    const short = leadingShortAnswer(result);
    if (short !== null) this.speaker.after(el('p', { className: 'short-answer' }, el('span', { className: 'sr-only' }, 'Short answer: '), el('strong', {}, short)));
    this.status.before(this.metaLine(result));
    if (result.citations.length) this.extras.append(this.sourceList(result.citations));
    if (result.passages.length) {
      const details = el('details', { className: 'passages' }, el('summary', {}, `Retrieved passages (${result.passages.length})`), this.passageList(result.passages, 'Passage'));
      this.extras.append(details);
    }
  }

  /** The ask ended without a result (stopped, failed or the connection dropped); a failure offers `retry`. */
  fail(code: string, message: string, retry?: () => void): void {
    this.appendSegments(this.splitter.flush());
    this.element.setAttribute('aria-busy', 'false');
    this.element.classList.add(code === 'ABORTED' ? 'stopped' : 'failed');
    this.status.textContent = code === 'ABORTED' ? 'Stopped.' : `Could not answer: ${message}`;
    if (code !== 'ABORTED') this.status.setAttribute('role', 'alert');
    if (code !== 'ABORTED' && retry) {
      const button = el('button', { className: 'retry secondary', attrs: { type: 'button' } }, 'Retry');
      button.addEventListener('click', retry);
      this.status.after(button);
    }
    if (this.passages.length && code === 'ABORTED') {
      this.extras.append(el('details', { className: 'passages' }, el('summary', {}, `Retrieved passages (${this.passages.length})`), this.passageList(this.passages, 'Passage')));
    }
  }

  /** The muted line under the answer: its confidence, and what was searched for when that was not the question. */
  private metaLine(result: AskResult): HTMLElement {
    const { text, explanation } = confidenceLabel(result);
    const confidence = el('span', { className: 'confidence', attrs: { title: explanation } }, text, el('span', { className: 'sr-only' }, `. ${explanation}`));
    const query = searchedFor(result);
    return el('p', { className: 'answer-meta' }, confidence, query !== null && el('span', { className: 'searched-for' }, `Searched for: ${query}`));
  }

  private appendSegments(segments: readonly AnswerSegment[]): void {
    for (const segment of segments) {
      if (segment.kind === 'text') {
        this.body.append(segment.text);
        continue;
      }
      const button = el('button', { className: 'cite', attrs: { type: 'button', 'data-n': String(segment.n) } }, segment.raw);
      button.addEventListener('click', () => {
        const citation = this.citations.get(segment.n);
        if (citation) this.openSource({ ...citation, label: `Citation [${citation.n}]` }, button);
      });
      this.markers.push(button);
      this.describeMarker(button);
      this.body.append(button);
    }
  }

  private describeMarker(button: HTMLButtonElement): void {
    const n = Number(button.dataset.n);
    const citation = this.citations.get(n);
    button.setAttribute('aria-label', citation ? `Citation ${n}: open ${citation.docId}, characters ${citation.start}–${citation.end}` : `Citation ${n} (source loading)`);
    button.setAttribute('aria-disabled', citation ? 'false' : 'true');
  }

  private sourceList(citations: readonly Citation[]): HTMLElement {
    const items = citations.map((c) => {
      const open = el('button', { className: 'link-button', attrs: { type: 'button', 'aria-label': `Open source ${c.n}: ${c.docId}, characters ${c.start}–${c.end}` } }, `[${c.n}] ${c.docId}`);
      open.addEventListener('click', () => this.openSource({ ...c, label: `Citation [${c.n}]` }, open));
      return el('li', {}, open, el('q', { className: 'quote' }, c.quote), copyButton({ label: 'Copy quote', accessibleName: `Copy quote ${c.n}`, text: () => c.quote }));
    });
    return el('section', { className: 'sources', attrs: { 'aria-label': 'Sources' } }, el('h3', {}, 'Sources'), el('ol', {}, ...items));
  }

  private passageList(passages: readonly Passage[], label: string): HTMLOListElement {
    const items = passages.map((p, i) => {
      const open = el('button', { className: 'link-button', attrs: { type: 'button', 'aria-label': `Show ${label.toLowerCase()} ${i + 1} in ${p.docId}, characters ${p.start}–${p.end}` } }, 'Show in document');
      open.addEventListener('click', () => this.openSource({ docId: p.docId, start: p.start, end: p.end, quote: p.text, label: `${label} ${i + 1}` }, open));
      const where = `${p.docId} · characters ${p.start}–${p.end}${p.heading ? ` · ${p.heading}` : ''}`;
      return el('li', { className: 'passage' }, el('p', { className: 'passage-meta' }, where), el('p', { className: 'passage-text' }, snippet(p.text)), open);
    });
    return el('ol', { className: 'passage-list' }, ...items);
  }
}
