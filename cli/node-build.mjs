// @ts-check
/**
 * Verbatim's TypeScript bundled for plain Node, so that `npm start`, `npm run ingest` and the rest start without a
 * TypeScript loader: running through tsx costs every process ~0.45 s and every worker thread its own loader (issue
 * 13's start-up and memory figures). esbuild bundles each entry point and each module a thread runs, with our own
 * code inlined and packages left to Node (but LangChain's, see BUNDLED_PACKAGES); a build is made when the sources changed since the last one (their size
 * and modification time, recorded per file, as git does) and is published atomically, so processes that start at
 * once never see half a build. Tests and tsx still run the sources directly.
 *
 * Inside a build `import.meta.url` (and `dirname`, `filename`) keep naming the source file, as under tsx: files
 * found beside a module (answer weights, eval datasets, the web page's sources) are where they always were, and a
 * module started by its URL (a thread's) is mapped to its bundled counterpart by `runnableModule` in
 * `retrieval/workers/worker-module.ts`, through the
 * `__VERBATIM_BUILD__` constant defined here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm run …` starts. */
export const ENTRY_POINTS = ['server/main.ts', 'cli/ingest.ts', 'cli/ask.ts', 'cli/mcp.ts', 'cli/models.ts', 'eval/cli.ts', 'eval/fit/fit-cli.ts', 'bench/run.ts', 'bench/load.ts', 'web/build.ts'];

/**
 * Modules started by their URL (`new URL('./….ts', import.meta.url)`) rather than imported: what worker threads run,
 * and the probes the benchmark preloads into the processes it measures.
 */
export const URL_ENTRY_POINTS = ['retrieval/workers/ask-worker.ts', 'retrieval/embed/embed-worker.ts', 'retrieval/index/lexical-build-worker.ts', 'retrieval/corpus/pdf-reader-thread.ts', 'bench/peak-memory-probe.ts', 'bench/load-memory-probe.ts'];

/** Where builds live unless VERBATIM_BUILD_DIR says otherwise; inside the project, so that packages resolve from `node_modules`. */
export const DEFAULT_BUILDS_DIR = path.join(ROOT, '.build', 'node');

/**
 * Packages bundled into the build, with what they import, instead of being left to Node, whose loader takes each of
 * their many small modules in turn: LangChain's text splitter cost every ingest that chunks anything 0.3–0.45 s to
 * load, ~45 ms bundled (tree-shaken), and zod, which every process loads, ~100–180 ms against ~45–80 ms. (Packages
 * that take our zod schemas, such as the MCP SDK, read them by their shape, not by their class.) Native addons stay
 * with Node whoever imports them.
 */
const BUNDLED_PACKAGES = /^(?:@langchain\/|zod(?:\/|$))/;
const NATIVE_PACKAGES = /^(?:hnswlib-node|better-sqlite3|onnxruntime-node|sharp|node-llama-cpp)(?:\/|$)/;

/** Builds other than the current one that are kept: a server started from an older build may still start a thread from it. */
const KEEP_OLD_BUILDS = 3;
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;
const CURRENT_FILE = 'current.json';
const FORMAT = 1;

/**
 * @typedef {object} BuildRecord
 * @property {number} format
 * @property {string} node the Node version it was made for
 * @property {string} root the project folder it was made from
 * @property {[number, number] | null} builder this file's size and modification time
 * @property {string} dir the build's folder, beside this record
 * @property {[string, number, number][]} inputs each of our sources bundled, and the lockfile for the packages, with its size and modification time
 */

/**
 * A file's size and modification time, or null when it is gone.
 * @param {string} file
 * @returns {[number, number] | null}
 */
function stamp(file) {
  try {
    const stat = fs.statSync(file);
    return [stat.size, stat.mtimeMs];
  } catch {
    return null;
  }
}

/** @param {[number, number] | null} a @param {[number, number] | null} b */
const sameStamp = (a, b) => a !== null && b !== null && a[0] === b[0] && a[1] === b[1];

/**
 * The current build's folder when it was made by this Node and this file from sources that are all unchanged, else
 * null. Costs one `stat` per source file (a few milliseconds).
 * @param {string} buildsDir
 * @returns {string | null}
 */
export function freshBuild(buildsDir) {
  /** @type {BuildRecord} */
  let record;
  try {
    record = JSON.parse(fs.readFileSync(path.join(buildsDir, CURRENT_FILE), 'utf8'));
  } catch {
    return null;
  }
  if (record.format !== FORMAT || record.node !== process.version || record.root !== ROOT) return null;
  if (!sameStamp(record.builder, stamp(fileURLToPath(import.meta.url)))) return null;
  for (const [file, size, mtimeMs] of record.inputs) {
    if (!sameStamp([size, mtimeMs], stamp(path.join(ROOT, file)))) return null;
  }
  const dir = path.join(buildsDir, record.dir);
  return fs.existsSync(dir) ? dir : null;
}

/**
 * Replaces `import.meta.url`, `dirname` and `filename` in our sources with the source file's own, as tsx leaves them.
 * @param {string} root
 * @returns {import('esbuild').Plugin}
 */
function sourceLocationPlugin(root) {
  return {
    name: 'verbatim-source-location',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(root + path.sep) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await fs.promises.readFile(args.path, 'utf8');
        const url = new URL(`file://${args.path}`).href;
        const contents = source
          .replaceAll('import.meta.url', JSON.stringify(url))
          .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Leaves packages to Node (resolved from the project's `node_modules` at run time) but for BUNDLED_PACKAGES, whose
 * own imports are bundled along with them.
 * @returns {import('esbuild').Plugin}
 */
function packagesPlugin() {
  return {
    name: 'verbatim-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || NATIVE_PACKAGES.test(args.path)) return { path: args.path, external: true };
        const fromPackage = args.importer.includes(`${path.sep}node_modules${path.sep}`);
        return fromPackage || BUNDLED_PACKAGES.test(args.path) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/**
 * Bundles every entry point into a new folder of `buildsDir` and makes it the current build.
 * @param {string} buildsDir
 * @returns {Promise<string>} the build's folder
 */
export async function build(buildsDir) {
  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  fs.mkdirSync(buildsDir, { recursive: true });
  const name = `build-${Date.now().toString(36)}-${process.pid}`;
  const dir = path.join(buildsDir, name);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [...ENTRY_POINTS, ...URL_ENTRY_POINTS],
    outbase: ROOT,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'linked',
    // Stacks need the mappings only; the sources are beside the build.
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    define: { __VERBATIM_BUILD__: JSON.stringify({ root: ROOT, dir }) },
    plugins: [packagesPlugin(), sourceLocationPlugin(ROOT)],
  });
  /** @type {BuildRecord} */
  const record = {
    format: FORMAT,
    node: process.version,
    root: ROOT,
    builder: stamp(fileURLToPath(import.meta.url)),
    dir: name,
    // The lockfile stands for the packages (esbuild among them) the build was made with. A file edited while the
    // build ran may be in it in either version: it is recorded as unknown, so the next start builds again.
    inputs: [...Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('<') && !file.includes('node_modules/')), 'package-lock.json'].map((file) => {
      const now = stamp(path.join(ROOT, file));
      return now === null || now[1] >= startedAt - 1 ? [file, -1, -1] : [file, now[0], now[1]];
    }),
  };
  const temporary = path.join(buildsDir, `${CURRENT_FILE}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, JSON.stringify(record));
  fs.renameSync(temporary, path.join(buildsDir, CURRENT_FILE));
  removeOldBuilds(buildsDir, name);
  return dir;
}

/**
 * Removes builds past the newest few that are also more than a day old.
 * @param {string} buildsDir
 * @param {string} current
 */
function removeOldBuilds(buildsDir, current) {
  const now = Date.now();
  const builds = fs
    .readdirSync(buildsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('build-') && entry.name !== current)
    .map((entry) => ({ dir: path.join(buildsDir, entry.name), mtimeMs: fs.statSync(path.join(buildsDir, entry.name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of builds.slice(KEEP_OLD_BUILDS)) {
    if (now - old.mtimeMs > KEEP_OLD_BUILDS_MS) fs.rmSync(old.dir, { recursive: true, force: true });
  }
}

/**
 * The current build, made first when the sources changed.
 * @throws when the builds folder is outside the project or cannot be written, or esbuild fails.
 * @param {string} [buildsDir]
 * @returns {Promise<{ dir: string, built: boolean }>}
 */
export async function ensureBuild(buildsDir = process.env.VERBATIM_BUILD_DIR ? path.resolve(process.env.VERBATIM_BUILD_DIR) : DEFAULT_BUILDS_DIR) {
  if (path.relative(ROOT, buildsDir).startsWith('..')) {
    throw new Error(`VERBATIM_BUILD_DIR (${buildsDir}) must be inside the project folder ${ROOT}, where the built code finds its packages`);
  }
  const fresh = freshBuild(buildsDir);
  if (fresh !== null) return { dir: fresh, built: false };
  return { dir: await build(buildsDir), built: true };
}

/**
 * The bundled counterpart of an entry point's source file.
 * @param {string} dir a build's folder
 * @param {string} entry e.g. `server/main.ts`
 */
export function builtModule(dir, entry) {
  return path.join(dir, path.relative(ROOT, path.resolve(ROOT, entry)).replace(/\.ts$/, '.mjs'));
}

// `node cli/node-build.mjs` (npm's `prepare`, run by `npm ci`): makes the build now, so the first command does not.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { dir, built } = await ensureBuild();
  process.stdout.write(`${built ? 'built' : 'up to date'}: ${path.relative(ROOT, dir)}\n`);
}
