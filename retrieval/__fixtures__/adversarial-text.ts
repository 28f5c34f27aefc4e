import fc from 'fast-check';

/**
 * Generated hostile text for the fuzz tests: the shapes that make text handling super-linear (long runs of one
 * character class, many repeated small tokens) and the characters that break naive offset arithmetic (lone
 * surrogates, combining marks, mixed scripts, Unicode spaces and line separators).
 *
 * A generated {@link Template} is a list of pieces; {@link renderTemplate} stretches the repeatable pieces to a
 * target length, so the same template gives "the same input at a quarter of the length", which is what
 * `workGrowth` compares.
 */

/** One stretch of a template: `unit` once (`share` 0) or repeated to `share` parts of the stretched length. */
export interface Piece {
  readonly unit: string;
  readonly share: number;
}

/** What {@link renderTemplate} expands. At least one piece has a `share` above 0. */
export type Template = readonly Piece[];

/** Units the probe and the code's own patterns make interesting; each can be repeated into a long run. */
export const HOSTILE_UNITS: readonly string[] = [
  // Runs of spaces, tabs and other Unicode spaces and line breaks.
  ' ', '  ', '\t', ' \t', '\u00a0', '\u3000', '\u2009', '\n', '\r\n', '\r', '\n\n', ' \n', '\u2028', '\u2029', '\ufeff',
  // Quotes, closers and openers.
  '"', '”', '“', '’', '‘', "'", '»', '«', ')', ']', '(', '[', '}', '"\'', '”)',
  // Punctuation, alone and in runs.
  '.', '?', '!', '…', ',', ';', ':', '?!', '...', '. ', '? ', '.\n', '-', '—', '–', '_', '/', '&', '*', '$', '%', '@',
  // Markdown markers.
  '#', '# ', '## ', '###### ', '####### ', '```', '~~~', '- ', '* ', '| ', '> ', '    ',
  // Digits with separators.
  '1', '12', '1,000', '3.14', '12:30', '2,5', '1.2.3', '1990s', '2023', '10%', '$5', '1,', '.5', '0.', '١٢٣',
  // Capitalised words, names, titles, abbreviations, connectors.
  'Chinese ', 'Qese ', 'Italian ', 'China ', 'Justice Institute of ', 'New Zealand ', 'A.', 'U.S. ', 'Dr. ', 'Rev. ', 'St. ', 'JIBC ',
  'Of ', 'The ', 'And ', 'of ', 'the ', "O'Neil ", 'Xi’s ', 'A-B ', 'X.Y. ',
  // Follow-up openers and question words.
  'and ', 'And ', 'what about ', 'What about ', 'how about ', 'in ', 'In ', 'by ', 'to the ', 'that ', 'this ', 'it ', 'its ', 'she ',
  'long is ', 'how long ', 'how many ', 'when ', 'who is ', 'called ', 'stands for ',
  // Other scripts and combining marks.
  'Ελλάδα ', 'Москва ', '北京', '東京都', 'العربية ', 'עברית ', 'हिन्दी ', 'ไทย', 'e\u0301', '\u0301', 'ǅ', 'ß', 'İ', 'ﬁ',
  // Surrogates: lone high, lone low, a pair, emoji with modifiers.
  '\ud800', '\udc00', '\udbff\udfff', '😀', '👩🏽‍💻', '\ud83d',
  // Long tokens once stretched.
  'x', 'ab', 'Xy', 'aaaaaaaa', '0', 'ḁ',
  // Citation markers and replacement patterns.
  '[1]', '[12] ', '$`', "$'", '$&', '\\', '\u0000',
];

/** A piece of a template: a hostile unit or arbitrary short text, once or stretched. */
export const pieceArbitrary: fc.Arbitrary<Piece> = fc.record({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_UNITS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) },
  ),
  share: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 })),
});

/** A template of one to eight pieces, at least one of them stretched. */
export const templateArbitrary: fc.Arbitrary<Template> = fc
  .tuple(fc.array(pieceArbitrary, { minLength: 0, maxLength: 7 }), fc.record({ unit: fc.constantFrom(...HOSTILE_UNITS), share: fc.integer({ min: 1, max: 4 }) }), fc.nat())
  .map(([pieces, stretched, at]) => {
    const all = [...pieces];
    all.splice(at % (all.length + 1), 0, stretched);
    return all;
  });

/**
 * The template at about `length` code units, never more: pieces with `share` 0 once, the others repeated over
 * what is left in proportion to their share.
 */
export function renderTemplate(template: Template, length: number): string {
  const fixed = template.reduce((n, p) => n + (p.share === 0 ? p.unit.length : 0), 0);
  const shares = template.reduce((n, p) => n + p.share, 0);
  const room = Math.max(0, length - fixed);
  const text = template.map((p) => (p.share === 0 ? p.unit : p.unit.repeat(Math.floor((room * p.share) / shares / p.unit.length)))).join('');
  return text.slice(0, length);
}
