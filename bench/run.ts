/**
 * `npm run bench [-- --full] [--sizes 10000,100000] [--only ingest,query,vector,loop,stall,models,scale,generative] ...`: the performance
 * benchmarks of issue 5, in-process (no server): ingest per chunk by stage, `ask` latency by stage, the HNSW index at
 * scale against exact search, and event-loop blocking by synchronous vector search; issue 10's hostile asks against a
 * real server process (`stall`); and the real embedding models (`models`: throughput against the raw ONNX session,
 * a real ingest with its peak memory, hybrid `ask` latency, HNSW recall on real vectors). Prints tables and rewrites
 * the generated section of bench/RESULTS.md (other sections of that file are kept).
 * Default sizes keep a run under ~5 minutes on 2 cores without `models`, which adds ~10; `--full` adds 100k vectors,
 * synthetic and — embedded once, then read from data/bench-cache/ — real (several more minutes; the first real run
 * embeds 100k texts, about an hour on 2 cores).
 */
import { benchGenerative, generativeHeadline, generativeTable } from './generative-bench.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeTinyModel } from '../retrieval/embed/__fixtures__/tiny-model.js';
import { parseArgs } from 'node:util';
import { createExtractiveAnswerer } from '../retrieval/answer/extractive-answerer.js';
import { loadConfig } from '../retrieval/config.js';
import { DEFAULT_EMBEDDER, findEmbedder, MODEL_CATALOG, type EmbedderSpec } from '../retrieval/models/model-catalog.js';
import { ROOT, seedCorpus, xquadCorpus, xquadFile, type BenchCorpus } from './corpora.js';
import { benchEventLoop, type EventLoopBenchResult } from './event-loop-bench.js';
import { benchIngest, type IngestBenchResult, type IngestMode } from './ingest-bench.js';
import { describeMachine } from './machine.js';
import { benchEmbedAtIngest, embedAtIngestHeadline, embedAtIngestTable } from './embed-ingest-bench.js';
import { benchModels } from './models-bench.js';
import { modelsHeadline, modelsTables } from './models-report.js';
import { ASK_P95_TARGET_MS, benchQueries, type QueryBenchResult } from './query-bench.js';
import { eventLoopTable, ingestTable, machineLines, memoryTable, queryTable, READY_TARGET_MS, readyTable, RECALL_TARGET, sweepTable, vectorTable } from './report.js';
import { benchScale, benchScaleHybrid } from './scale-bench.js';
import { hybridScaleTable, scaleHeadline, scaleTables } from './scale-report.js';
import { benchStall, HEALTH_P99_TARGET_MS, stallTable } from './stall-bench.js';
import { ms, stopwatch } from './stats.js';
import { createVectorSource, type VectorKind } from './synthetic-vectors.js';
import { renderMarkdown, renderText, type Table } from './table.js';
import { openTinyEmbedder } from './tiny-embedder.js';
import { benchVectorIndex, type VectorBenchResult } from './vector-index-bench.js';

const USAGE = `npm run bench -- [--full] [--sizes N,N] [--queries N] [--ef-sweep N,N] [--repeats N] [--only ingest,query,vector,loop,stall,models,scale,generative]
                 [--scale [--scale-sizes N,N] [--scale-hybrid-sizes N,N]]
                 [--uniform-all] [--xquad FILE] [--out FILE | --no-write] [--keep]
                 models: [--models NAME,NAME] [--batch-sizes N,N] [--threads N,N] [--sweep-chunks N] [--real-vectors N] [--real-queries N]
                 embed: [--workers N,N] [--batch-sizes N,N] [--sweep-chunks N]`;
const SECTIONS = ['ingest', 'query', 'vector', 'loop', 'stall', 'models', 'scale', 'generative', 'embed'] as const;
type Section = (typeof SECTIONS)[number];
/**
 * Sections run when `--only` is not given; `scale` runs with `--scale` or `--only scale` (minutes per size), `generative` with `--only generative` (a minute or more per model),
 * `embed` with `--only embed` (the default model's embed stage on all of XQuAD, several minutes).
 */
const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter((section) => section !== 'scale' && section !== 'generative' && section !== 'embed');
/** Markers around the part of RESULTS.md this script owns. */
const BEGIN = '<!-- npm run bench: generated section begins; edits inside are overwritten -->';
const END = '<!-- npm run bench: generated section ends -->';

function numbers(flag: string, raw: string | undefined, fallback: readonly number[]): number[] {
  if (raw === undefined) return [...fallback];
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${flag} takes whole numbers separated by commas, got ${JSON.stringify(raw)}`);
  return list;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean' },
      scale: { type: 'boolean' },
      'scale-sizes': { type: 'string' },
      'scale-hybrid-sizes': { type: 'string' },
      sizes: { type: 'string' },
      queries: { type: 'string' },
      'ef-sweep': { type: 'string' },
      repeats: { type: 'string' },
      only: { type: 'string' },
      'uniform-all': { type: 'boolean' },
      xquad: { type: 'string' },
      models: { type: 'string' },
      'batch-sizes': { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      'sweep-chunks': { type: 'string' },
      'real-vectors': { type: 'string' },
      'real-queries': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  const sizes = numbers('sizes', values.sizes, values.full ? [10_000, 100_000] : [10_000]);
  const queryCount = numbers('queries', values.queries, [300])[0]!;
  const efSweep = numbers('ef-sweep', values['ef-sweep'], [16, 32, 64, 128, 256, 512]);
  const repeats = numbers('repeats', values.repeats, [3])[0]!;
  const only = new Set<Section>((values.only?.split(',') ?? (values.scale ? ['scale'] : DEFAULT_SECTIONS)) as Section[]);
  if (values.scale) only.add('scale');
  const scaleSizes = numbers('scale-sizes', values['scale-sizes'], values.full ? [1_000, 10_000, 100_000] : [1_000, 10_000]);
  // Hybrid incremental ingest at scale, with the tiny model: none unless asked for (a full hybrid ingest of 100k chunks takes minutes).
  const scaleHybridSizes = values['scale-hybrid-sizes'] ? numbers('scale-hybrid-sizes', values['scale-hybrid-sizes'], []) : [];
  for (const section of only) if (!SECTIONS.includes(section)) throw new Error(`--only takes ${SECTIONS.join(',')}, got ${section}`);
  const out = path.resolve(values.out ?? path.join(ROOT, 'bench', 'RESULTS.md'));
  const specs: EmbedderSpec[] = [];
  for (const name of values.models?.split(',') ?? MODEL_CATALOG.filter((spec) => spec.role === 'embedder').map((spec) => spec.name)) {
    const spec = findEmbedder(name.trim());
    if (!spec) throw new Error(`--models takes catalog embedder names (npm run models -- list), got ${JSON.stringify(name)}`);
    specs.push(spec);
  }
  // --real-vectors 0 turns the real-vector set off.
  const realVectors = values['real-vectors'] === '0' ? 0 : numbers('real-vectors', values['real-vectors'], [values.full ? 100_000 : 10_000])[0]!;

  const elapsed = stopwatch();
  const config = loadConfig({});
  const machine = describeMachine();
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-bench-'));
  const tables: Table[] = [];
  // Written once, for whichever sections use it.
  let xquad: BenchCorpus | null = null;
  const xquadOnce = async (): Promise<BenchCorpus> => (xquad ??= await xquadCorpus(workDir, values.xquad));
  const headline: string[] = [];
  log(`machine: ${machineLines(machine).join(' | ')}; work folder ${workDir}`);

  let ingest: IngestBenchResult[] = [];
  let queries: QueryBenchResult[] = [];
  let vectors: VectorBenchResult[] = [];
  let loop: EventLoopBenchResult | null = null;
  try {
    if (only.has('ingest') || only.has('query')) {
      const tiny = await openTinyEmbedder(workDir, config.embedBatchSize);
      try {
        log(`tiny model loaded in ${ms(tiny.loadMs)} ms (${tiny.embedder.id}, ${tiny.embedder.dimension} dimensions)`);
        const corpora: BenchCorpus[] = [seedCorpus(), await xquadOnce()];
        const modes: IngestMode[] = ['tiny', 'lexical'];
        for (const corpus of corpora) {
          for (const mode of modes) {
            // The seed corpus is a few chunks: more runs to steady the medians. Query-only runs build each index once.
            const runs = only.has('ingest') ? (corpus.name === 'seed' ? Math.max(repeats, 7) : repeats) : 1;
            log(`ingest ${corpus.name} (${mode}) × ${runs}`);
            ingest.push(await benchIngest({ corpus, mode, tiny, repeats: runs, workDir }));
          }
        }
        if (only.has('ingest')) tables.push(ingestTable(ingest));
        if (only.has('query')) {
          const answerer = createExtractiveAnswerer();
          for (const corpus of corpora) {
            for (const mode of ['lexical', 'tiny'] as const) {
              const built = ingest.find((r) => r.corpus === corpus.name && r.mode === mode)!;
              log(`ask ${corpus.name} (${mode}): ${corpus.questions.length} questions`);
              queries.push(await benchQueries({ corpus, config: built.config, mode, tiny, answerer }));
            }
          }
          tables.push(queryTable(queries));
          const seed = queries.find((q) => q.corpus === 'seed' && q.mode === 'lexical');
          if (seed) headline.push(`ask p95, seed corpus, lexical: ${ms(seed.wall.p95)} ms — target < ${ASK_P95_TARGET_MS} ms: ${seed.wall.p95 < ASK_P95_TARGET_MS ? 'met' : 'NOT met'} (${(seed.wall.p95 / ASK_P95_TARGET_MS).toFixed(2)} of the target).`);
        }
        if (!only.has('ingest')) ingest = [];
      } finally {
        await tiny.embedder.dispose();
      }
    }

    if (only.has('vector') || only.has('loop')) {
      const smallest = Math.min(...sizes);
      for (const size of sizes) {
        const kinds: VectorKind[] = size === smallest || values['uniform-all'] ? ['latent', 'uniform'] : ['latent'];
        for (const kind of kinds) {
          log(`vector index: ${size} × ${kind} (build, ${queryCount} queries, ef sweep ${efSweep.join(',')}${kind === 'latent' ? ', persisted index + openPipeline' : ''})`);
          const result = await benchVectorIndex({
            size,
            dimension: 384,
            kind,
            queries: queryCount,
            ef: config.hnswEf,
            efSweep,
            M: config.hnswM,
            efConstruction: config.hnswEfConstruction,
            workDir,
            pipelineIndex: kind === 'latent' && only.has('vector'),
          });
          log(`  built in ${ms(result.buildMs)} ms; recall@10 ${result.configured.recall.toFixed(4)} at ef ${result.configured.ef}`);
          vectors.push(result);
        }
      }
      if (only.has('vector')) {
        tables.push(vectorTable(vectors), sweepTable(vectors), memoryTable(vectors), readyTable(vectors));
        for (const r of vectors.filter((v) => v.kind === 'latent')) {
          headline.push(`recall@10 at ef ${r.configured.ef}, ${r.size.toLocaleString('en-US')} latent vectors: ${r.configured.recall.toFixed(3)} — target ≥ ${RECALL_TARGET}: ${r.configured.recall >= RECALL_TARGET ? 'met' : 'NOT met'}; ${r.configured.speedup.toFixed(1)}× faster than exact search (p50).`);
          if (r.pipeline) headline.push(`ready on a persisted ${r.size.toLocaleString('en-US')}-chunk index (fresh process → openPipeline done): ${ms(r.pipeline.open.readyAtMs)} ms — target < ${READY_TARGET_MS / 1000} s: ${r.pipeline.open.readyAtMs < READY_TARGET_MS ? 'met' : 'NOT met'}.`);
        }
        for (const r of vectors.filter((v) => v.kind === 'uniform')) {
          headline.push(`worst case (uniform vectors, ${r.size.toLocaleString('en-US')}): recall@10 ${r.configured.recall.toFixed(3)} at ef ${r.configured.ef}; ef ${r.efFor098 ?? `> ${Math.max(...efSweep)}`} needed for 0.98.`);
        }
      }
      if (only.has('loop')) {
        const largest = vectors.filter((v) => v.kind === 'latent').sort((a, b) => b.size - a.size)[0]!;
        const source = createVectorSource({ dimension: 384, kind: 'latent', seed: 1 });
        const rows = source.sample(200, 33);
        const queryArrays = Array.from({ length: 200 }, (_, i) => Array.from(rows.subarray(i * 384, (i + 1) * 384)));
        log(`event loop: searching the ${largest.size}-vector index`);
        loop = await benchEventLoop({
          index: largest.index,
          queries: queryArrays,
          burstSize: 50,
          shapes: [
            { label: `app default: k=${config.candidatesPerSignal}, ef=${config.hnswEf}`, k: config.candidatesPerSignal, ef: config.hnswEf, searches: 300 },
            { label: 'k=100, ef=512', k: 100, ef: 512, searches: 300 },
            { label: 'config maximum: k=1000, ef=4000', k: 1000, ef: 4000, searches: 50 },
          ],
        });
        tables.push(eventLoopTable(loop));
        const def = loop.shapes[0]!;
        headline.push(`one default vector search (k=${def.shape.k}, ef=${def.shape.ef}) on ${loop.size.toLocaleString('en-US')} vectors holds the thread for p50 ${ms(def.block.p50)} ms, p95 ${ms(def.block.p95)} ms, max ${ms(def.block.max)} ms; the largest allowed search (k=1000, ef=4000) p95 ${ms(loop.shapes.at(-1)!.block.p95)} ms.`);
      }
      if (!only.has('vector')) vectors = [];
    }
    if (only.has('models')) {
      const models = await benchModels({
        config,
        specs,
        seed: seedCorpus(),
        xquad: await xquadOnce(),
        xquadFile: xquadFile(values.xquad),
        repeats,
        batchSizes: numbers('batch-sizes', values['batch-sizes'], [8, 16, 32, 64]),
        threads: numbers('threads', values.threads, [1, 2]),
        sweepChunks: numbers('sweep-chunks', values['sweep-chunks'], [64])[0]!,
        realVectors,
        realQueries: numbers('real-queries', values['real-queries'], [500])[0]!,
        efSweep,
        answerer: createExtractiveAnswerer(),
        workDir,
        log,
      });
      tables.push(...modelsTables(models));
      headline.push(...modelsHeadline(models));
    }
    if (only.has('embed')) {
      const spec = findEmbedder(config.modelId) ?? DEFAULT_EMBEDDER;
      const embed = await benchEmbedAtIngest({
        config,
        spec,
        xquad: await xquadOnce(),
        workDir,
        repeats,
        workers: numbers('workers', values.workers, [2]),
        batchSizes: numbers('batch-sizes', values['batch-sizes'], [config.embedBatchSize]),
        chunks: numbers('sweep-chunks', values['sweep-chunks'], [Number.MAX_SAFE_INTEGER])[0]!,
        log,
      });
      tables.push(embedAtIngestTable(embed, spec.name));
      headline.push(...embedAtIngestHeadline(embed));
    }
    if (only.has('scale')) {
      log(`scale: ${scaleSizes.join(', ')} chunks × ${repeats} runs (ingest processes, npm start, asks over HTTP)`);
      const scale = await benchScale({ workDir, sizes: scaleSizes, repeats, chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap, xquad: values.xquad, log });
      tables.push(...scaleTables(scale, repeats));
      headline.push(...scaleHeadline(scale));
      if (scaleHybridSizes.length > 0) {
        const tiny = await writeTinyModel({ modelDir: path.join(workDir, 'scale-models') });
        log(`scale hybrid: ${scaleHybridSizes.join(', ')} chunks × ${repeats} runs with the tiny model`);
        const hybrid = await benchScaleHybrid({ workDir, sizes: scaleHybridSizes, repeats, chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap, xquad: values.xquad, log, model: { id: tiny.modelId, dir: tiny.modelDir, name: 'tiny test model' } });
        tables.push(hybridScaleTable(hybrid, repeats));
      }
    }
    if (only.has('generative')) {
      const generative = await benchGenerative({ workDir, repeats, modelDir: config.modelDir, log });
      tables.push(generativeTable(generative));
      headline.push(...generativeHeadline(generative));
    }
    if (only.has('stall')) {
      log('stall: hostile asks against a server process');
      const stall = await benchStall({ deadlineMs: config.askDeadlineMs, log });
      tables.push(stallTable(stall));
      const failed = stall.results.filter((r) => !r.pass);
      const worstHealth = Math.max(...stall.results.map((r) => r.health.p99).filter(Number.isFinite));
      headline.push(
        `hostile asks (${stall.results.length}): ${failed.length === 0 ? 'all' : `${stall.results.length - failed.length}`} answered or stopped within the ${stall.deadlineMs} ms deadline with health p99 < ${HEALTH_P99_TARGET_MS} ms — ${failed.length === 0 ? 'met' : `NOT met (${failed.map((r) => r.input).join('; ')})`}; worst health p99 ${ms(worstHealth)} ms, slowest ask ${ms(Math.max(...stall.results.map((r) => r.askMs)))} ms.`,
      );
    }
  } finally {
    if (!values.keep) await fs.rm(workDir, { recursive: true, force: true });
    else log(`kept ${workDir}`);
  }

  const total = elapsed();
  process.stdout.write(`\n${machineLines(machine).join('\n')}\n\n`);
  for (const line of headline) process.stdout.write(`* ${line}\n`);
  for (const table of tables) process.stdout.write(`\n${renderText(table)}\n`);
  process.stdout.write(`\nbench finished in ${(total / 1000).toFixed(0)} s\n`);

  if (values['no-write']) return;
  const argv = process.argv.slice(2).join(' ');
  const section = [
    BEGIN,
    `## \`npm run bench${argv ? ` -- ${argv}` : ''}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${(total / 1000).toFixed(0)} s`,
    '',
    '### Machine',
    '',
    ...machineLines(machine).map((line) => `- ${line}`),
    '',
    '### Against the targets',
    '',
    ...headline.map((line) => `- ${line}`),
    ...tables.flatMap((table) => ['', renderMarkdown(table)]),
    '',
    END,
  ].join('\n');
  let existing = '';
  try {
    existing = await fs.readFile(out, 'utf8');
  } catch {
    existing = '# Benchmark results\n\nNumbers from `npm run bench` (in-process, this repository). Absolute times on shared 2-core machines are noisy: compare the ratios.\n\n';
  }
  const from = existing.indexOf(BEGIN);
  const to = existing.indexOf(END);
  const next = from !== -1 && to > from ? `${existing.slice(0, from)}${section}${existing.slice(to + END.length)}` : `${existing.trimEnd()}\n\n${section}\n`;
  await fs.writeFile(out, next);
  log(`wrote ${path.relative(process.cwd(), out)}`);
}

await main();
