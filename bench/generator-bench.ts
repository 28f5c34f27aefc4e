/**
 * Time to first token and decoding speed of the local generators on this machine: the grounded-answer prompt over
 * six seed passages, each catalog generator that is in MODEL_DIR, at each thread count, the median of `--runs`.
 * Run alone (`npx tsx bench/generator-bench.ts [--runs 5] [--threads 1,2] [--models NAME,…] [--max-tokens 64]`);
 * it prints a Markdown table for bench/RESULTS.md.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { groundedAnswerPrompt } from '../prompts/grounded-answer-prompt.js';
import { seedPassages } from '../retrieval/generate/__fixtures__/seed-passages.js';
import { openLlamaGenerator } from '../retrieval/generate/llama-generator.js';
import { findGenerator, MODEL_CATALOG, type GeneratorSpec } from '../retrieval/models/model-catalog.js';
import { checkModelFolder } from '../retrieval/models/model-folder.js';
import { REPO_MODEL_DIR } from '../retrieval/models/__fixtures__/real-default-embedder.js';
import { median } from './stats.js';

const QUESTIONS = ['How many foreign police officers did China train in 2023?', 'Which initiative did President Xi Jinping introduce in 2022?'];

const { values } = parseArgs({ options: { runs: { type: 'string' }, threads: { type: 'string' }, models: { type: 'string' }, 'max-tokens': { type: 'string' } } });
const runs = Number(values.runs ?? 5);
const threadCounts = (values.threads ?? '1,2').split(',').map(Number);
const maxTokens = Number(values['max-tokens'] ?? 64);
const specs = (values.models?.split(',') ?? MODEL_CATALOG.filter((s) => s.role === 'generator').map((s) => s.name)).map((name) => {
  const spec = findGenerator(name.trim());
  if (!spec) throw new Error(`--models takes catalog generator names, got ${name}`);
  return spec;
});

const sources = seedPassages(6);
const rows: string[] = ['| model | threads | prompt tokens | TTFT p50 | TTFT min–max | decode tok/s p50 | prompt tok/s p50 | runs |', '|---|---|---|---|---|---|---|---|'];
for (const spec of specs) {
  const folder = await checkModelFolder(spec, REPO_MODEL_DIR);
  if (folder.state !== 'verified') {
    process.stderr.write(`${spec.name}: ${folder.state} in ${REPO_MODEL_DIR}, skipped (npm run models -- fetch ${spec.name})\n`);
    continue;
  }
  for (const threads of threadCounts) rows.push(await benchOne(spec, folder.folder, folder.weightsSha256, threads));
}
process.stdout.write(`${rows.join('\n')}\n`);

async function benchOne(spec: GeneratorSpec, folder: string, sha256: string, threads: number): Promise<string> {
  const generator = await openLlamaGenerator({ modelPath: path.join(folder, spec.gguf), name: spec.name, sha256, contextTokens: spec.contextTokens, timeoutMs: 120_000, threads });
  try {
    const ttft: number[] = [];
    const decode: number[] = [];
    const prefill: number[] = [];
    let promptTokens = 0;
    for (let run = 0; run < runs; run++) {
      const messages = groundedAnswerPrompt({ question: QUESTIONS[run % QUESTIONS.length]!, sources });
      promptTokens = await generator.countTokens(messages.map((m) => m.content).join('\n'));
      const start = performance.now();
      let first = 0;
      let text = '';
      for await (const piece of generator.stream(messages, { maxTokens })) {
        if (!first) first = performance.now();
        text += piece;
      }
      const end = performance.now();
      const written = await generator.countTokens(text);
      ttft.push(first - start);
      prefill.push(promptTokens / ((first - start) / 1000));
      if (written > 1) decode.push((written - 1) / ((end - first) / 1000));
      process.stderr.write(`${spec.name} threads=${threads} run ${run + 1}: TTFT ${(first - start).toFixed(0)} ms, ${written} tokens in ${(end - start).toFixed(0)} ms\n`);
    }
    const s = (v: number) => `${(v / 1000).toFixed(2)} s`;
    return `| ${spec.name} | ${threads} | ~${promptTokens} | ${s(median(ttft))} | ${s(Math.min(...ttft))}–${s(Math.max(...ttft))} | ${median(decode).toFixed(1)} | ${median(prefill).toFixed(0)} | ${runs} |`;
  } finally {
    await generator.dispose();
  }
}
