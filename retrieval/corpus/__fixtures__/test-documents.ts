/**
 * Real PDFs and Word documents for tests, made with pdf-lib and docx. The PDFs use the standard Helvetica fonts, which
 * encode WinAnsi only: their non-ASCII text is the accented letters, `ß`, dashes and curly quotes WinAnsi has (no
 * font file is embedded, so the tests do not depend on the fonts a machine has installed).
 */
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow } from 'docx';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import { PDFDocument, PDFHexString, PDFName, PDFString, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

/** A4 in points. */
const PAGE: [number, number] = [595, 842];
const BODY = 11;
const STEP = 14;

/** What the report PDF says, line by line as drawn: the tests compare the extracted text with these. */
export const REPORT = {
  title: 'Harbour Report 1950',
  heading: 'Harbour Report',
  intro: [
    'The harbour of Port Aldous opened in 1887 and the café on its quay served',
    'crème brûlée to sailors from Zürich; “Straße” signs — in German — were',
    'put up in 1902. The harbour master kept a care-',
    'fully written log of every ship.',
  ],
  left: ['The northern pier was built of granite', 'blocks quarried at Kessel Point and', 'finished in 1891 after four winters', 'of work by the dock company.'],
  right: ['The southern pier was built of timber', 'from the Aldous forest and burned', 'down in 1923, when a lamp fell', 'over in the storehouse.'],
  table: [
    ['Ship', 'Tonnage', 'Year'],
    ['Marigold', '1200', '1890'],
    ['Osprey', '850', '1895'],
  ],
  /** The last line of page 1; its sentence ends on page 2. */
  pageOneEnd: 'The lighthouse on the breakwater was lit for the first',
  pageTwoStart: 'time on 3 March 1904 by the mayor of Port Aldous.',
  pageTwo: ['Ships still call at the harbour twice a week in summer.'],
  tradeHeading: 'Trade',
  trade: ['Wool and timber left the harbour for Leith until the railway came in 1911.'],
  pageThree: ['Fishing fleets moved to Kessel in 1960.'],
} as const;

/**
 * A three-page report: a heading, a paragraph with non-ASCII text and a word hyphenated at a line end, two columns
 * (drawn line by line across both, so content order is not reading order), a table, a sentence running from page 1
 * to page 2, a second heading on page 2, and a page 3.
 */
export async function makeReportPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(REPORT.title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const one = doc.addPage(PAGE);
  one.drawText(REPORT.heading, { x: 50, y: 780, size: 22, font: bold });
  drawLines(one, REPORT.intro, { x: 50, y: 740, font });
  REPORT.left.forEach((line, i) => {
    one.drawText(line, { x: 50, y: 640 - i * STEP, size: BODY, font });
    one.drawText(REPORT.right[i]!, { x: 320, y: 640 - i * STEP, size: BODY, font });
  });
  REPORT.table.forEach((row, i) => row.forEach((cell, j) => one.drawText(cell, { x: 50 + j * 110, y: 520 - i * 18, size: BODY, font })));
  one.drawText(REPORT.pageOneEnd, { x: 50, y: 60, size: BODY, font });
  const two = doc.addPage(PAGE);
  drawLines(two, [REPORT.pageTwoStart, ...REPORT.pageTwo], { x: 50, y: 780, font });
  two.drawText(REPORT.tradeHeading, { x: 50, y: 700, size: 16, font: bold });
  drawLines(two, REPORT.trade, { x: 50, y: 670, font });
  const three = doc.addPage(PAGE);
  drawLines(three, REPORT.pageThree, { x: 50, y: 780, font });
  return doc.save();
}

function drawLines(page: PDFPage, lines: readonly string[], at: { x: number; y: number; font: PDFFont }): void {
  lines.forEach((line, i) => page.drawText(line, { x: at.x, y: at.y - i * STEP, size: BODY, font: at.font }));
}

/** A one-page PDF of the given lines. */
export async function makeSimplePdf(lines: readonly string[], pages = 1): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) drawLines(doc.addPage(PAGE), lines, { x: 50, y: 780, font });
  return doc.save();
}

/** A PDF of pictures only: a page with a drawn rectangle and no text, like a scan. */
export async function makeScannedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage(PAGE).drawRectangle({ x: 50, y: 50, width: 495, height: 742 });
  return doc.save();
}

/** Script that, were it ever run, would leave a mark on the global object. */
export const EMBEDDED_SCRIPT = 'globalThis.verbatimPdfScriptRan = true; app.alert("script ran");';

/** A PDF that runs JavaScript when a viewer with scripting opens it (an OpenAction and a named script). */
export async function makeScriptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  drawLines(doc.addPage(PAGE), ['This page carries a script that must never run.'], { x: 50, y: 780, font });
  const action = doc.context.register(doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(EMBEDDED_SCRIPT) }));
  doc.catalog.set(PDFName.of('OpenAction'), action);
  const names = doc.context.obj({ JavaScript: doc.context.obj({ Names: [PDFString.of('init'), action] }) });
  doc.catalog.set(PDFName.of('Names'), doc.context.register(names));
  return doc.save();
}

/** A PDF encrypted with the standard security handler and a user password no one knows. */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  drawLines(doc.addPage(PAGE), ['Secret text.'], { x: 50, y: 780, font });
  const encrypt = doc.context.obj({ Filter: 'Standard', V: 1, R: 2, Length: 40, O: PDFHexString.of('5a'.repeat(32)), U: PDFHexString.of('a5'.repeat(32)), P: -44 });
  doc.context.trailerInfo.Encrypt = doc.context.register(encrypt);
  const id = PDFHexString.of('0123456789abcdef0123456789abcdef');
  doc.context.trailerInfo.ID = doc.context.obj([id, id]);
  return doc.save({ useObjectStreams: false });
}

/** What the Word document says. */
export const NOTES = {
  title: 'Harbour Notes',
  heading: 'History',
  history: 'The harbour of Port Aldous opened in 1887; “Straße” signs — in German — went up in 1902 for sailors from Zürich.',
  tableHeading: 'Ships',
  table: [
    ['Ship', 'Tonnage'],
    ['Marigold', '1200'],
    ['Osprey', '850'],
  ],
  closing: 'The lighthouse was lit in 1904.',
} as const;

/** A Word document with a title, headings, non-ASCII text and a table. */
export async function makeNotesDocx(): Promise<Uint8Array> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: NOTES.title, heading: HeadingLevel.TITLE }),
          new Paragraph({ text: NOTES.heading, heading: HeadingLevel.HEADING_1 }),
          new Paragraph(NOTES.history),
          new Paragraph({ text: NOTES.tableHeading, heading: HeadingLevel.HEADING_2 }),
          new Table({ rows: NOTES.table.map((row) => new TableRow({ children: row.map((cell) => new TableCell({ children: [new Paragraph(cell)] })) })) }),
          new Paragraph(NOTES.closing),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

/**
 * A zip bomb dressed as a DOCX: its `word/document.xml` unpacks to `pieces` MiB (default 120) of spaces from a file of
 * about a thousandth of that. One MiB is compressed once, as a deflate block that does not end the stream, and
 * repeated: making it never holds, or compresses, the unpacked bytes.
 */
export function makeZipBombDocx(pieces = 120): Uint8Array {
  const piece = Buffer.alloc(1024 * 1024, 0x20);
  const block = deflateRawSync(piece, { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  let crc = 0;
  for (let i = 0; i < pieces; i++) crc = crc32(piece, crc);
  const body = Buffer.concat([...Array.from({ length: pieces }, () => block), deflateRawSync(Buffer.alloc(0))]);
  const types = Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  return zipOf([
    { name: '[Content_Types].xml', method: 0, crc: crc32(types), size: types.length, data: types },
    { name: 'word/document.xml', method: 8, crc, size: piece.length * pieces, data: body },
  ]);
}

interface ZipEntry {
  readonly name: string;
  /** 0: stored, 8: deflate. */
  readonly method: number;
  readonly crc: number;
  /** Unpacked size. */
  readonly size: number;
  readonly data: Buffer;
}

/** A ZIP archive of the given entries, written by hand (local headers, central directory, end record) per APPNOTE 4.3. */
function zipOf(entries: readonly ZipEntry[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/** A ZIP that is not a Word document. */
export function makePlainZip(): Uint8Array {
  return zipSync({ 'notes.txt': strToU8('just a text file in an archive') });
}

/**
 * A real DOCX whose central directory says `word/document.xml` unpacks to 10 bytes, as an archive that lies about its
 * sizes to slip past a size check would.
 */
export async function makeLyingDocx(): Promise<Uint8Array> {
  const bytes = new Uint8Array(await makeNotesDocx());
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const name = new TextEncoder().encode('word/document.xml');
  for (let at = 0; at + 46 < bytes.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    if (nameLength === name.length && name.every((c, i) => bytes[at + 46 + i] === c)) view.setUint32(at + 24, 10, true);
  }
  return bytes;
}

/** Files of a corpus that hold one of each kind: the report PDF, the notes DOCX, and a text file. */
export async function writeDocumentCorpus(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'report.pdf'), await makeReportPdf());
  await writeFile(path.join(dir, 'notes.docx'), await makeNotesDocx());
  await writeFile(path.join(dir, 'plain.txt'), 'The ferry to Kessel leaves at noon.\n');
}

/**
 * A DOCX whose `word/document.xml` declares nested entities that would expand to 10⁹ × "lol" (the "billion laughs"
 * attack on XML parsers), in a few hundred bytes.
 */
export function makeEntityBombDocx(): Uint8Array {
  let entities = '<!ENTITY lol0 "lol">';
  for (let i = 1; i < 10; i++) entities += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  const main = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const xml = `<?xml version="1.0"?><!DOCTYPE w:document [${entities}]><w:document xmlns:w="${main}"><w:body><w:p><w:r><w:t>Before &lol9; after</w:t></w:r></w:p></w:body></w:document>`;
  return zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    'word/document.xml': strToU8(xml),
  });
}
