import { describe, expect, it } from 'vitest';
import { makeEntityBombDocx, makeLyingDocx, makeNotesDocx, makePlainZip, makeZipBombDocx, NOTES } from './__fixtures__/test-documents.js';
import { docxToText } from './docx-to-text.js';
import { DEFAULT_ZIP_LIMITS, unpackZip } from './zip-archive.js';

describe('docxToText on a Word document made with docx', () => {
  it('gives paragraphs apart by blank lines and the table row by row, non-ASCII intact', async () => {
    const read = await docxToText(await makeNotesDocx());
    expect(read).toMatchObject({ ok: true, title: NOTES.title });
    if (!read.ok) return;
    expect(read.text).toBe(
      [NOTES.title, NOTES.heading, NOTES.history, NOTES.tableHeading, NOTES.table.map((row) => row.join('\t')).join('\n'), NOTES.closing].join('\n\n'),
    );
  });

  it('keeps the heading styles as headings, each an exact slice of the text', async () => {
    const read = await docxToText(await makeNotesDocx());
    if (!read.ok) throw new Error(read.reason);
    expect(read.headings.map((h) => h.text)).toEqual([NOTES.title, NOTES.heading, NOTES.tableHeading]);
    for (const h of read.headings) expect(read.text.slice(h.start, h.end)).toBe(h.text);
  });
});

describe('docxToText on archives it must not unpack', () => {
  it('refuses a zip bomb from its central directory, before inflating anything', async () => {
    // The bomb is real: a small one unpacks to exactly what it declares.
    const small = unpackZip(makeZipBombDocx(2));
    expect(typeof small === 'string' ? small : small['word/document.xml']!.length).toBe(2 * 1024 * 1024);
    const read = await docxToText(makeZipBombDocx(120));
    expect(read).toEqual({
      ok: false,
      reason: `unpacks to ${120 * 1024 * 1024 + 98} bytes, more than the ${DEFAULT_ZIP_LIMITS.maxUnpackedBytes}-byte limit (a zip bomb, or a document too large to index)`,
    });
  });

  it('refuses an archive of too many entries', async () => {
    const read = await docxToText(await makeNotesDocx(), { limits: { ...DEFAULT_ZIP_LIMITS, maxEntries: 3 } });
    expect(read).toEqual({ ok: false, reason: expect.stringMatching(/^a ZIP archive of \d+ entries, more than the 3 limit$/) });
  });

  it('never unpacks more than an archive declares, so one that lies about its sizes fails to read instead', async () => {
    expect(await docxToText(await makeLyingDocx())).toEqual({ ok: false, reason: expect.stringMatching(/^Word document could not be read \(.+\)$/) });
  });

  it('refuses XML entities instead of expanding them (a "billion laughs" document)', async () => {
    expect(await docxToText(makeEntityBombDocx())).toEqual({ ok: false, reason: expect.stringMatching(/^Word document could not be read \(.*entity not found/) });
  });

  it('says so for a ZIP that is not a Word document, and for bytes that are no ZIP', async () => {
    expect(await docxToText(makePlainZip())).toEqual({ ok: false, reason: 'a ZIP archive without word/document.xml: not a Word document' });
    expect(await docxToText(new TextEncoder().encode('PK\u0003\u0004 not really'))).toEqual({ ok: false, reason: expect.stringMatching(/^not a readable ZIP archive/) });
  });
});
