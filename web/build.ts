/**
 * Bundles the chat page into `web/dist/` with esbuild: `app.js` (from `src/main.ts`), `styles.css`, and
 * copies of `index.html` and `favicon.svg`, so the server serves that one folder. Run as
 * `npm run build:web`; the server also calls `ensureWebBundle` on start, which rebuilds only when a
 * source is newer than the bundle.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The `web/` folder of this checkout. */
export const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Where the bundle goes; git-ignored. */
export const DIST_DIR = path.join(WEB_DIR, 'dist');

/** Written last by a build: the files the bundle was made from, for staleness checks (a dotfile, never served). */
const META_FILE = '.build-meta.json';

/** Files copied into the bundle as they are. */
const STATIC_FILES = ['index.html', 'favicon.svg'] as const;

/**
 * PDF.js, copied from pdfjs-dist into `pdfjs/` and loaded by the source panel only when it draws a PDF, so the first
 * load stays small. All from this origin: the strict Content-Security-Policy allows scripts and fetches from nowhere else.
 */
const PDFJS_DIR = path.join(path.dirname(fileURLToPath(import.meta.resolve('pdfjs-dist/package.json'))));
const PDFJS_FILES = ['build/pdf.min.mjs', 'build/pdf.worker.min.mjs'] as const;
const PDFJS_FONTS = 'standard_fonts';

/** Files a complete bundle has. */
const OUTPUTS = [...STATIC_FILES, 'app.js', 'styles.css', ...PDFJS_FILES.map((f) => `pdfjs/${path.basename(f)}`), META_FILE] as const;

interface BuildMeta {
  readonly inputs: readonly string[];
}

/** Options of `buildWebBundle` and `ensureWebBundle`. */
export interface WebBuildOptions {
  /** Folder holding `index.html`, `styles.css` and `src/`. @default the folder of this file */
  readonly webDir?: string;
  /** Output folder. @default `${webDir}/dist` */
  readonly outDir?: string;
  /** Minify the output. @default true */
  readonly minify?: boolean;
}

/** What a build did. */
export interface WebBuildResult {
  readonly outDir: string;
  /** False when the existing bundle was up to date. */
  readonly built: boolean;
}

/**
 * Writes a file so that readers (the server, a concurrent build) only ever see the old or the new
 * content, never half of it.
 */
async function writeAtomically(file: string, contents: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await fs.writeFile(tmp, contents);
  await fs.rename(tmp, file);
}

/** Bundles the page unconditionally. */
export async function buildWebBundle(options: WebBuildOptions = {}): Promise<WebBuildResult> {
  const webDir = options.webDir ?? WEB_DIR;
  const outDir = options.outDir ?? path.join(webDir, 'dist');
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(`esbuild is needed to build the chat page (${(error as Error).message}): run \`npm ci\``, { cause: error });
  }
  const result = await esbuild.build({
    absWorkingDir: webDir,
    entryPoints: [
      { in: path.join(webDir, 'src/main.ts'), out: 'app' },
      { in: path.join(webDir, 'styles.css'), out: 'styles' },
    ],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    outdir: outDir,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  await fs.mkdir(outDir, { recursive: true });
  for (const file of result.outputFiles) await writeAtomically(file.path, file.contents);
  for (const name of STATIC_FILES) await writeAtomically(path.join(outDir, name), await fs.readFile(path.join(webDir, name)));
  await fs.mkdir(path.join(outDir, 'pdfjs', PDFJS_FONTS), { recursive: true });
  const pdfjsInputs = [...PDFJS_FILES.map((f) => path.join(PDFJS_DIR, f)), ...(await fs.readdir(path.join(PDFJS_DIR, PDFJS_FONTS))).map((f) => path.join(PDFJS_DIR, PDFJS_FONTS, f))];
  for (const file of pdfjsInputs) {
    const relative = path.relative(PDFJS_DIR, file);
    const target = relative.startsWith(PDFJS_FONTS) ? path.join(outDir, 'pdfjs', relative) : path.join(outDir, 'pdfjs', path.basename(file));
    await writeAtomically(target, await fs.readFile(file));
  }
  const inputs = [...Object.keys(result.metafile.inputs).map((p) => path.resolve(webDir, p)), ...STATIC_FILES.map((name) => path.join(webDir, name)), ...pdfjsInputs, fileURLToPath(import.meta.url)];
  const meta: BuildMeta = { inputs };
  await writeAtomically(path.join(outDir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return { outDir, built: true };
}

async function mtime(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

/** True when every output exists and no input of the last build changed since. */
export async function isWebBundleFresh(outDir: string = DIST_DIR): Promise<boolean> {
  const outputTimes = await Promise.all(OUTPUTS.map((f) => mtime(path.join(outDir, f))));
  if (outputTimes.some((t) => t === null)) return false;
  let meta: BuildMeta;
  try {
    meta = JSON.parse(await fs.readFile(path.join(outDir, META_FILE), 'utf8')) as BuildMeta;
  } catch {
    return false;
  }
  const builtAt = Math.min(...(outputTimes as number[]));
  for (const input of meta.inputs) {
    const t = await mtime(input);
    if (t === null || t > builtAt) return false;
  }
  // A new source file is not in the old metafile; it only matters once an existing file imports it,
  // which changes that file's time.
  return true;
}

/** Builds the page when the bundle is missing or older than its sources. */
export async function ensureWebBundle(options: WebBuildOptions = {}): Promise<WebBuildResult> {
  const outDir = options.outDir ?? path.join(options.webDir ?? WEB_DIR, 'dist');
  if (await isWebBundleFresh(outDir)) return { outDir, built: false };
  return buildWebBundle(options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    const { outDir } = await buildWebBundle();
    process.stdout.write(`built the chat page into ${path.relative(process.cwd(), outDir) || '.'}\n`);
  } catch (error) {
    const messages = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const detail = messages?.length ? messages.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('\n') : (error as Error).message;
    process.stderr.write(`error: cannot build the chat page:\n${detail}\n`);
    process.exitCode = 1;
  }
}
