import { ABSTENTION_TEXT } from '../../prompts/grounded-answer-prompt.js';
import { citedSentenceText } from '../../retrieval/generate/cited-sentence-text.js';
import type { AskResult, Citation, GeneratedSentence } from '../../retrieval/types.js';
import { abstentionSentence } from './abstention-reasons.js';
import { confidenceLabel, leadingShortAnswer, searchedFor } from './answer-confidence.js';
import { StreamingAnswerSplitter, splitAnswer, type AnswerSegment } from './answer-text.js';
import { copyButton } from './copy-button.js';
import { el } from './dom.js';
import type { CitationRecheck } from './recheck-citations.js';
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
  /** A language model's text not yet judged, shown muted until its sentence's verdict replaces it. */
  private readonly draft: HTMLElement;
  private draftText = '';

  constructor(private readonly openSource: OpenSource) {
    this.speaker = el('p', { className: 'speaker sr-only' }, 'Verbatim answered:');
    this.body = el('p', { className: 'answer-text', attrs: { 'aria-live': 'polite', 'aria-atomic': 'false' } });
    this.status = el('p', { className: 'answer-status', attrs: { role: 'status' } }, 'Searching the documents…');
    this.extras = el('div', { className: 'answer-extras' });
    this.draft = el('p', { className: 'answer-draft', attrs: { 'aria-hidden': 'true' } });
    this.draft.hidden = true;
    this.element = el('li', { className: 'message assistant', attrs: { 'aria-busy': 'true' } }, this.speaker, this.body, this.draft, this.status, this.extras);
  }

  /** Retrieval is done: the answer is being written from these passages. */
  setPassages(passages: readonly Passage[]): void {
    this.passages = passages;
    this.status.textContent = `Found ${passages.length} passage${passages.length === 1 ? '' : 's'}; writing the answer…`;
  }

  /** Appends a streamed piece of the answer; a `draft` piece (a model's unchecked text) waits for its verdict. */
  appendToken(text: string, draft = false): void {
    if (draft) {
      this.draftText += text;
      this.draft.textContent = this.draftText.trimStart();
      this.draft.hidden = false;
      this.status.textContent = 'Writing; each sentence is checked against its source as it is finished…';
      return;
    }
    this.streamedText += text;
    this.appendSegments(this.splitter.push(text));
  }

  /** A generated sentence was judged: it leaves the draft and joins the answer, verified or visibly not. */
  addVerification(sentence: GeneratedSentence): void {
    const at = this.draftText.indexOf(sentence.written);
    if (at >= 0) this.draftText = this.draftText.slice(at + sentence.written.length);
    this.draft.textContent = this.draftText.trimStart();
    this.draft.hidden = this.draft.textContent === '';
    for (const citation of sentence.citations) this.citations.set(citation.n, citation);
    this.body.append(this.generatedSentence(sentence), ' ');
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
    this.draft.remove();
    const generation = result.generation;
    if (generation && !generation.fallback && !result.abstained) {
      // Rebuilt from the verdicts, so the answer reads the same however its frames arrived.
      this.body.replaceChildren();
      this.markers.length = 0;
      for (const sentence of generation.sentences) this.body.append(this.generatedSentence(sentence), ' ');
    } else if (this.streamedText !== result.answer) {
      this.body.replaceChildren();
      this.markers.length = 0;
      this.appendSegments(splitAnswer(result.answer));
    }
    for (const button of this.markers) this.describeMarker(button);
    this.element.setAttribute('aria-busy', 'false');
    this.status.textContent = '';
    this.status.hidden = true;
    if (generation?.fallback) {
      this.body.before(el('p', { className: 'generation-note', attrs: { 'data-code': generation.fallback.code } }, `The language model's answer is not shown: ${generation.fallback.message.replace(/\.$/, '')}. These are the documents' own sentences.`));
    }

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
    // Unchecked model text is not left behind as if it were part of an answer.
    this.draft.remove();
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

  /**
   * A saved answer's citations, checked again against the documents as they are now: each source says whether its
   * quote is still there, and when a document changed since, the answer says so above its text and every marker of
   * a changed citation is marked, so nothing reads as verified that no longer is.
   */
  showRecheck(checks: readonly CitationRecheck[]): void {
    const sources = this.extras.querySelector('.sources');
    for (const check of checks) {
      const { n } = check.citation;
      const icon = check.state === 'verified' ? '✓' : '!';
      const line = el('p', { className: `recheck ${check.state}`, attrs: { 'data-state': check.state } }, el('span', { className: 'check-icon', attrs: { 'aria-hidden': 'true' } }, icon), ' ', check.message);
      const item = sources?.querySelector(`li[data-n="${n}"]`);
      item?.querySelector('.recheck')?.remove();
      item?.querySelector('q')?.after(line);
      if (check.state === 'verified') continue;
      for (const button of this.markers) {
        if (Number(button.dataset.n) !== n) continue;
        button.classList.add('changed');
        button.setAttribute('aria-label', `${button.getAttribute('aria-label') ?? `Citation ${n}`}; ${check.state === 'changed' ? 'document changed since this answer' : 'could not be checked'}`);
      }
    }
    this.element.querySelector('.changed-note')?.remove();
    const changed = checks.filter((c) => c.state === 'changed');
    if (changed.length > 0) {
      const docs = [...new Set(changed.map((c) => c.citation.docId))];
      const what = docs.length === 1 ? `The document ${docs[0]} changed` : `${docs.length} documents changed`;
      // First, above even the short answer: everything below it is read knowing this.
      this.speaker.after(el('p', { className: 'changed-note', attrs: { role: 'note' } }, el('span', { className: 'check-icon', attrs: { 'aria-hidden': 'true' } }, '!'), ' ', `${what} since this answer: the marked citations no longer match it. Ask again for an answer from the current text.`));
    }
  }

  /** The muted line under the answer: its confidence, and what was searched for when that was not the question. */
  private metaLine(result: AskResult): HTMLElement {
    const { text, explanation } = confidenceLabel(result);
    const confidence = el('span', { className: 'confidence', attrs: { title: explanation } }, text, el('span', { className: 'sr-only' }, `. ${explanation}`));
    const query = searchedFor(result);
    return el('p', { className: 'answer-meta' }, confidence, query !== null && el('span', { className: 'searched-for' }, `Searched for: ${query}`));
  }

  /**
   * A generated sentence: a verified one with its citation buttons; an unsupported or uncited one marked "not
   * verified" with the reason, never with a citation (the page's "Hide unverified sentences" setting hides them).
   */
  private generatedSentence(sentence: GeneratedSentence): HTMLElement {
    const span = el('span', { className: `generated ${sentence.status}`, attrs: { 'data-status': sentence.status, 'data-index': String(sentence.index) } });
    if (sentence.status === 'verified') {
      this.appendSegments(splitAnswer(citedSentenceText(sentence)), span);
      if (sentence.attributed) {
        const named = sentence.cited.length ? `the model cited passage ${sentence.cited.map((n) => `[${n}]`).join('')}, which does not hold it` : 'the model cited no passage';
        span.title = `Source found by Verbatim: ${named}.`;
      }
      return span;
    }
    const why = sentence.reason ?? 'it could not be checked against the sources';
    span.append(sentence.text, ' ', el('span', { className: 'unverified-badge', attrs: { title: `Not verified: ${why}` } }, 'not verified', el('span', { className: 'sr-only' }, `: ${why}`)));
    return span;
  }

  private appendSegments(segments: readonly AnswerSegment[], into: HTMLElement = this.body): void {
    for (const segment of segments) {
      if (segment.kind === 'text') {
        into.append(segment.text);
        continue;
      }
      const button = el('button', { className: 'cite', attrs: { type: 'button', 'data-n': String(segment.n) } }, segment.raw);
      button.addEventListener('click', () => {
        const citation = this.citations.get(segment.n);
        if (citation) this.openSource({ ...citation, label: `Citation [${citation.n}]` }, button);
      });
      this.markers.push(button);
      this.describeMarker(button);
      into.append(button);
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
      return el('li', { attrs: { 'data-n': String(c.n) } }, open, el('q', { className: 'quote' }, c.quote), copyButton({ label: 'Copy quote', accessibleName: `Copy quote ${c.n}`, text: () => c.quote }));
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
