/** The fields by which every tool result points into a document, described once for the models that read them. */
import { z } from 'zod';

/** `docId`, `title`, `start` and `end` of a span of one document. */
export const spanFields = {
  docId: z.string().describe('The document id (its path in the corpus); pass it to get_document_span, or read verbatim://documents/{docId}'),
  title: z.string().describe('The document title, for showing to people'),
  start: z.number().int().describe('Offset of the first character, a JavaScript string (UTF-16) index into the document text'),
  end: z.number().int().describe('Offset just past the last character: the span is documentText.slice(start, end)'),
} as const;

