import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAR_RATIO_BOUND, workGrowthAsync } from '../__fixtures__/linear-work.js';
import { AbortedError, CorpusNotFoundError } from '../errors.js';
import type { SourceDocument } from '../types.js';
import { loadCorpus, type LoadedCorpus } from './load-corpus.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'verbatim-corpus-'));
const corpus = path.join(scratch, 'corpus');
const outside = path.join(scratch, 'outside');

function put(relative: string, content: string | Uint8Array): void {
  const file = path.join(corpus, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

const BOM = '\uFEFF';
const HTML = `<!doctype html>
<html><head><title>The  Page Title</title><style>body { color: red }</style><script>var inHead = 1;</script></head>
<body>
<h1>Visible Heading</h1>
<p>Hello <a href="https://example.com/secret-url">a link</a> &amp; friends.</p>
<script>alert(1)</script>
<img src="x" onerror="alert(2)" alt="picture alt">
<div hidden>hidden words</div>
<table><tr><th>Name</th><th>Value</th></tr><tr><td>alpha</td><td>1</td></tr></table>
</body></html>`;
const DEPTH = 120;
const deepDir = Array.from({ length: DEPTH }, (_, i) => `d${i}`).join('/');

let loaded: LoadedCorpus;
const byId = (id: string): SourceDocument | undefined => loaded.documents.find((d) => d.id === id);
const skipReason = (id: string): string | undefined => loaded.skipped.find((s) => s.path === id)?.reason;

beforeAll(async () => {
  mkdirSync(corpus, { recursive: true });
  mkdirSync(outside, { recursive: true });
  put('crlf.txt', `${BOM}First line\r\nSecond line\r\n`);
  put('notes/guide.md', '---\ntags: x\n---\n\nIntro line\n\n# Guide Title\n\nBody text.\n');
  put('notes/plain.md', 'No heading here, just text.\n');
  put('web/page.html', HTML);
  put('web/other.htm', '<html><body><h1>Only  H1</h1><p>Text.</p></body></html>');
  put('web/blank.html', '<html><head><title>Empty</title><script>x()</script></head><body>  </body></html>');
  put('script-as-text.txt', 'Write <script>alert(1)</script> to test escaping.');
  put('bad-utf8.txt', Uint8Array.from([0x68, 0x69, 0xff, 0xfe, 0x0a]));
  put('binary.txt', Uint8Array.from([0x61, 0x62, 0x00, 0x63]));
  put('empty.txt', '');
  put('blank.md', ' \n\t\r\n ');
  put('big.txt', 'x'.repeat(5000));
  put('image.pdf', '%PDF-1.4 fake');
  put('data.json', '{"text":"ignored"}');
  put('.hidden/secret.txt', 'hidden');
  put('Zebra.txt', 'Upper case sorts first.');
  put(`${deepDir}/deep.txt`, 'Deep down.');
  writeFileSync(path.join(outside, 'secret.txt'), 'SECRET OUTSIDE TEXT');
  mkdirSync(path.join(outside, 'dir'));
  writeFileSync(path.join(outside, 'dir', 'inner.txt'), 'SECRET OUTSIDE DIR');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(corpus, 'escape.txt'));
  symlinkSync(path.join(outside, 'dir'), path.join(corpus, 'escape-dir'));
  symlinkSync('../crlf.txt', path.join(corpus, 'notes', 'alias.txt'));
  symlinkSync(path.join(corpus, 'missing.txt'), path.join(corpus, 'dangling.txt'));
  symlinkSync(path.join(corpus, 'notes'), path.join(corpus, 'notes-link'));
  loaded = await loadCorpus({ dir: corpus, maxFileBytes: 4096 });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadCorpus', () => {
  it('loads supported files recursively, sorted, with `/` ids', () => {
    // Code-unit order: upper case before lower case, whatever the locale.
    expect(loaded.documents.map((d) => d.id)).toEqual([
      'Zebra.txt',
      'crlf.txt',
      `${deepDir}/deep.txt`,
      'notes/alias.txt',
      'notes/guide.md',
      'notes/plain.md',
      'script-as-text.txt',
      'web/other.htm',
      'web/page.html',
    ]);
  });

  it('keeps text exactly as stored, minus a leading BOM, and hashes the bytes', () => {
    const doc = byId('crlf.txt')!;
    expect(doc.text).toBe('First line\r\nSecond line\r\n');
    expect(doc.hash).toBe(createHash('sha256').update(`${BOM}First line\r\nSecond line\r\n`).digest('hex'));
    expect(doc.title).toBe('First line');
  });

  it('takes the Markdown `#` heading as title, else the first line with text', () => {
    expect(byId('notes/guide.md')!.title).toBe('Guide Title');
    expect(byId('notes/plain.md')!.title).toBe('No heading here, just text.');
  });

  it('reduces HTML to visible text without scripts, styles, image attributes, hidden elements or link URLs', () => {
    const page = byId('web/page.html')!;
    expect(page.title).toBe('The Page Title');
    expect(page.text).toContain('Visible Heading');
    expect(page.text).toContain('Hello a link & friends.');
    expect(page.text).toMatch(/Name\s+Value/);
    for (const unseen of ['alert', 'inHead', 'color: red', 'secret-url', 'example.com', 'picture alt', 'hidden words', 'onerror', '[', 'The Page Title', 'VISIBLE']) {
      expect(page.text).not.toContain(unseen);
    }
    expect(byId('web/other.htm')!.title).toBe('Only H1');
  });

  it('keeps markup written in a text file as characters', () => {
    expect(byId('script-as-text.txt')!.text).toBe('Write <script>alert(1)</script> to test escaping.');
  });

  it('skips unusable files with a reason instead of failing', () => {
    expect(skipReason('bad-utf8.txt')).toMatch(/UTF-8/);
    expect(skipReason('binary.txt')).toMatch(/NUL/);
    expect(skipReason('empty.txt')).toMatch(/empty/);
    expect(skipReason('blank.md')).toMatch(/whitespace/);
    expect(skipReason('big.txt')).toMatch(/4096-byte limit/);
    expect(skipReason('web/blank.html')).toMatch(/no visible text/);
    expect(skipReason('dangling.txt')).toMatch(/broken symlink/);
  });

  it('never follows a symlink out of the corpus folder', () => {
    expect(skipReason('escape.txt')).toMatch(/outside the corpus/);
    expect(skipReason('escape-dir')).toMatch(/outside the corpus/);
    for (const doc of loaded.documents) expect(doc.text).not.toContain('SECRET OUTSIDE');
  });

  it('follows a symlinked file inside the corpus but not a symlinked folder', () => {
    expect(byId('notes/alias.txt')!.text).toBe(byId('crlf.txt')!.text);
    expect(skipReason('notes-link/')).toMatch(/symlinked folder/);
    expect(loaded.documents.some((d) => d.id.startsWith('notes-link/'))).toBe(false);
  });

  it('ignores other extensions and hidden entries without reporting them', () => {
    const all = [...loaded.documents.map((d) => d.id), ...loaded.skipped.map((s) => s.path)];
    expect(all.filter((p) => /\.json$|hidden/.test(p))).toEqual([]);
  });

  it('reads .pdf files as PDFs, and skips one that only starts like a PDF with the reason', () => {
    expect(skipReason('image.pdf')).toMatch(/^not a readable PDF \(.+\): the file is damaged or only claims to be a PDF$/);
  });

  // Documents and reasons, not stamps: a file read within RACY_WINDOW_MS of its last change gets none, so which files
  // have one depends on how long after writing them the corpus is read.
  const contents = (c: LoadedCorpus) => ({ documents: c.documents, skipped: c.skipped, unchanged: c.unchanged });

  it('is deterministic', async () => {
    expect(contents(await loadCorpus({ dir: corpus, maxFileBytes: 4096 }))).toEqual(contents(loaded));
  });

  it('throws CorpusNotFoundError for a missing folder or a file', async () => {
    await expect(loadCorpus({ dir: path.join(scratch, 'nope') })).rejects.toBeInstanceOf(CorpusNotFoundError);
    await expect(loadCorpus({ dir: path.join(corpus, 'Zebra.txt') })).rejects.toBeInstanceOf(CorpusNotFoundError);
  });

  it('stops when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadCorpus({ dir: corpus, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
  });

  it('gives the same documents and reasons reading one file at a time as many at once', async () => {
    expect(contents(await loadCorpus({ dir: corpus, maxFileBytes: 4096, concurrency: 1 }))).toEqual(contents(loaded));
    expect(contents(await loadCorpus({ dir: corpus, maxFileBytes: 4096, concurrency: 64 }))).toEqual(contents(loaded));
  });

  it('stops while files are being read when the signal fires', async () => {
    const dir = mkdtempSync(path.join(scratch, 'many-'));
    for (let i = 0; i < 300; i++) writeFileSync(path.join(dir, `doc-${i}.txt`), `Document ${i}.`);
    const controller = new AbortController();
    const loading = loadCorpus({ dir, signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(loading).rejects.toBeInstanceOf(AbortedError);
  });

  it('lists a known document as unchanged without reading it while its file stamp is unchanged, and reads the file once it changes', async () => {
    const dir = mkdtempSync(path.join(scratch, 'known-'));
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'What the file says.');
    const info = statSync(file);
    const stamp = { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino, dev: info.dev };
    // Not the hash of what the file holds: the file is trusted by its stamp and not read.
    const known = new Map([['a.txt', { hash: 'h', stamp }]]);
    const trusted = await loadCorpus({ dir, known });
    expect(trusted.documents).toEqual([]);
    expect(trusted.unchanged).toEqual(['a.txt']);
    expect(trusted.stamps.get('a.txt')).toEqual(stamp);
    expect(trusted.sizes.get('a.txt')).toBe('What the file says.'.length);

    writeFileSync(file, 'What the file says now.');
    const read = await loadCorpus({ dir, known });
    expect(read.documents[0]!.text).toBe('What the file says now.');
    expect(read.unchanged).toEqual([]);
    // Written a moment ago, so its stamp is not recorded to be trusted next time.
    expect(read.stamps.has('a.txt')).toBe(false);
    // Its size is known all the same, for the library to show.
    expect(read.sizes.get('a.txt')).toBe('What the file says now.'.length);
  });

  it('loads through a symlinked corpus folder', async () => {
    const link = path.join(scratch, 'corpus-link');
    symlinkSync(corpus, link);
    const viaLink = await loadCorpus({ dir: link, maxFileBytes: 4096 });
    expect(viaLink.documents.map((d) => d.id)).toEqual(loaded.documents.map((d) => d.id));
  });

  it.skipIf(process.platform === 'win32')('skips a FIFO named like a document instead of blocking on it', async () => {
    const dir = mkdtempSync(path.join(scratch, 'fifo-'));
    writeFileSync(path.join(dir, 'ok.txt'), 'fine');
    execFileSync('mkfifo', [path.join(dir, 'pipe.txt')]);
    const result = await loadCorpus({ dir });
    expect(result.documents.map((d) => d.id)).toEqual(['ok.txt']);
    expect(result.skipped).toEqual([{ path: 'pipe.txt', reason: 'not a regular file' }]);
  });

  it('skips HTML nested too deeply to convert', async () => {
    const dir = mkdtempSync(path.join(scratch, 'nested-'));
    writeFileSync(path.join(dir, 'deep.html'), `${'<div>'.repeat(20_000)}x${'</div>'.repeat(20_000)}`);
    writeFileSync(path.join(dir, 'ok.txt'), 'fine');
    const result = await loadCorpus({ dir });
    expect(result.documents.map((d) => d.id)).toEqual(['ok.txt']);
    expect(result.skipped[0]?.reason).toMatch(/HTML could not be converted/);
  });

  it('loads the seed corpus', async () => {
    const seeds = await loadCorpus({ dir: new URL('../../seeds', import.meta.url).pathname });
    expect(seeds.skipped).toEqual([]);
    expect(seeds.documents.length).toBeGreaterThan(0);
    for (const doc of seeds.documents) {
      expect(doc.text.trim()).not.toBe('');
      expect(doc.title.length).toBeLessThanOrEqual(120);
      expect(doc.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe('loadCorpus on a hostile Markdown title', () => {
  // `# x` + 40,000 spaces + `y` took 4 s to ingest (20 s at 80,000): the title pattern backtracked quadratically.
  it('reads a title line of 40,000 spaces with work linear in its length', async () => {
    const folder = (spaces: number) => {
      const dir = path.join(scratch, `title-${spaces}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'hostile.md'), `# x${' '.repeat(spaces)}y\n\nBody text.\n`);
      return dir;
    };
    const full = folder(40_000);
    const quarter = folder(10_000);
    const loaded = await loadCorpus({ dir: full });
    expect(loaded.documents[0]!.title).toBe('x y');
    const growth = await workGrowthAsync((dir: string) => loadCorpus({ dir }), full, quarter);
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });
});
