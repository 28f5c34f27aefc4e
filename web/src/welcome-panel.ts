/**
 * What a first visit shows before any question: which documents are being asked (by title), the retrieval mode in
 * plain words, and a few starter questions the server derived from the documents and checked that it answers.
 * Each part loads on its own, so a slow or failed one never holds up the others or the question box.
 */
import type { ApiClient } from './api-client.js';
import { corpusSentence } from './corpus-summary.js';
import { el } from './dom.js';
import { describeRetrievalMode, explanationText, type ExplanationPart } from './retrieval-mode.js';

/** Elements of the panel and the badge in index.html. */
export interface WelcomeElements {
  /** The mode badge in the top bar. */
  readonly badge: HTMLElement;
  /** "Asking 3 documents: …". */
  readonly corpusLine: HTMLElement;
  /** The mode, its reason and what to do. */
  readonly modeExplanation: HTMLElement;
  /** Holds the heading and the list; hidden while there is nothing to suggest. */
  readonly suggestions: HTMLElement;
  readonly suggestionList: HTMLUListElement;
}

function renderExplanation(parts: readonly ExplanationPart[]): (string | HTMLElement)[] {
  return parts.map((p) => (typeof p === 'string' ? p : el('code', {}, p.command)));
}

/** Fills the first-load panel; `ask` sends a starter question as if typed. */
export class WelcomePanel {
  constructor(
    private readonly elements: WelcomeElements,
    private readonly ask: (question: string) => void,
  ) {}

  /** Loads the mode, the documents and the suggestions, each shown as soon as it arrives. */
  async load(api: ApiClient): Promise<void> {
    await Promise.all([this.showMode(api), this.showCorpus(api), this.showSuggestions(api)]);
  }

  private async showMode(api: ApiClient): Promise<void> {
    const { badge, modeExplanation } = this.elements;
    try {
      const health = await api.health();
      const mode = describeRetrievalMode(health);
      badge.textContent = `${mode.label} · ${health.documents} document${health.documents === 1 ? '' : 's'}`;
      badge.title = explanationText(mode.explanation);
      badge.dataset.mode = health.mode;
      badge.dataset.tone = mode.tone;
      modeExplanation.replaceChildren(...renderExplanation(mode.explanation));
      modeExplanation.dataset.tone = mode.tone;
    } catch (error) {
      badge.textContent = 'Server unavailable';
      badge.title = (error as Error).message;
      badge.dataset.mode = 'error';
      badge.dataset.tone = 'fallback';
    }
  }

  private async showCorpus(api: ApiClient): Promise<void> {
    try {
      const { documents } = await api.documents();
      this.elements.corpusLine.textContent = corpusSentence(documents);
    } catch {
      // The badge already says the server cannot be reached.
    }
  }

  private async showSuggestions(api: ApiClient): Promise<void> {
    const { suggestions, suggestionList } = this.elements;
    let questions: readonly string[];
    try {
      questions = (await api.suggestions()).suggestions.map((s) => s.question);
    } catch {
      return; // Nothing to suggest: the box and its placeholder are enough to start.
    }
    suggestionList.replaceChildren(
      ...questions.map((question) => {
        const button = el('button', { className: 'suggestion secondary', attrs: { type: 'button' } }, question);
        button.addEventListener('click', () => this.ask(question));
        return el('li', {}, button);
      }),
    );
    suggestions.hidden = questions.length === 0;
  }
}
