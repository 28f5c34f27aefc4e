/**
 * The local generator with the real default model (SmolLM2-135M-Instruct, Q4_1, through node-llama-cpp), over a
 * grounded-answer prompt of two seed passages (a short prompt: two CPU cores read ~100–300 prompt tokens a second). CI fetches the model first (.ci/run), so these run on every
 * submission; on a machine without it they are skipped, and the test name says how to fetch it. The model is loaded
 * once for the file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groundedAnswerPrompt } from '../../prompts/grounded-answer-prompt.js';
import { loadConfig } from '../config.js';
import { AbortedError, GeneratorError } from '../errors.js';
import { REAL_GENERATOR, REAL_GENERATOR_PRESENT, REAL_GENERATOR_SKIP_NOTE } from '../models/__fixtures__/real-default-generator.js';
import { seedPassages } from './__fixtures__/seed-passages.js';
import type { Generator } from './generator.js';
import { openLlamaGenerator } from './llama-generator.js';
import { openConfiguredLocalGenerator } from './open-local-generator.js';

const sources = seedPassages(2);
/** The question every test asks, whose answer is in passage 1; a 135M model gets this one right. */
const initiativePrompt = groundedAnswerPrompt({ question: 'Which initiative did President Xi Jinping introduce in 2022?', sources });
/** Another question, for the concurrent call. */
const trainedPrompt = groundedAnswerPrompt({ question: 'How many foreign police officers did China train in 2023?', sources });

async function collect(pieces: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of pieces) out.push(piece);
  return out;
}

describe.skipIf(!REAL_GENERATOR_PRESENT)(`the local generator with ${REAL_GENERATOR.spec.name}${REAL_GENERATOR_SKIP_NOTE}`, () => {
  let generator: Generator;
  /** The first answer to `initiativePrompt`, which later tests compare with. */
  let firstAnswer: string;

  beforeAll(async () => {
    generator = await openLlamaGenerator({ modelPath: REAL_GENERATOR.modelPath, name: REAL_GENERATOR.spec.name, sha256: REAL_GENERATOR.sha256, contextTokens: REAL_GENERATOR.spec.contextTokens, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await generator?.dispose();
  });

  it('says what it is', () => {
    expect(generator.id).toBe(`local:smollm2-135m-instruct:${REAL_GENERATOR.sha256.slice(0, 8)}`);
    expect(generator.info).toEqual({ kind: 'local', model: 'smollm2-135m-instruct', contextTokens: REAL_GENERATOR.spec.contextTokens, sha256: REAL_GENERATOR.sha256 });
  });

  it('streams an answer in several pieces that names what the passage says', async () => {
    const pieces = await collect(generator.stream(initiativePrompt, { maxTokens: 48 }));
    expect(pieces.length).toBeGreaterThan(5);
    firstAnswer = pieces.join('');
    expect(firstAnswer).toContain('Global Security Initiative');
  });

  it('writes the same answer to the same prompt again (greedy decoding, nothing kept from the last call)', async () => {
    expect((await collect(generator.stream(initiativePrompt, { maxTokens: 48 }))).join('')).toBe(firstAnswer);
  });

  it('stops at maxTokens: a shorter limit gives the start of the same answer', async () => {
    const short = (await collect(generator.stream(initiativePrompt, { maxTokens: 6 }))).join('');
    expect(short.length).toBeGreaterThan(0);
    expect(firstAnswer.startsWith(short)).toBe(true);
    expect(short.length).toBeLessThan(firstAnswer.length);
    expect(await generator.countTokens(short)).toBeLessThanOrEqual(6);
  });

  it('stops when its signal fires mid-stream, throwing the signal\'s reason, and serves the next call', async () => {
    const controller = new AbortController();
    const reason = new AbortedError('the reader went away');
    const received: string[] = [];
    let afterAbort = 0;
    const error = await (async () => {
      for await (const piece of generator.stream(initiativePrompt, { maxTokens: 200, signal: controller.signal })) {
        if (controller.signal.aborted) afterAbort++;
        received.push(piece);
        if (received.length === 3) controller.abort(reason);
      }
    })().catch((e: unknown) => e);
    expect(error).toBe(reason);
    // node-llama-cpp may have one piece in flight when the signal fires; it does not go on writing.
    expect(afterAbort).toBeLessThanOrEqual(1);
    expect(received.join('')).toBe(firstAnswer.slice(0, received.join('').length));
    const next = (await collect(generator.stream(initiativePrompt, { maxTokens: 6 }))).join('');
    expect(firstAnswer.startsWith(next)).toBe(true);
  });

  it('keeps two concurrent calls apart: each gets the answer it gets alone', async () => {
    const [initiative, trained] = await Promise.all([collect(generator.stream(initiativePrompt, { maxTokens: 48 })), collect(generator.stream(trainedPrompt, { maxTokens: 24 }))]);
    expect(initiative.join('')).toBe(firstAnswer);
    const alone = (await collect(generator.stream(trainedPrompt, { maxTokens: 24 }))).join('');
    expect(trained.join('')).toBe(alone);
    expect(alone).not.toBe(firstAnswer.slice(0, alone.length));
  });

  it('counts tokens with the model\'s own tokenizer', async () => {
    expect(await generator.countTokens('')).toBe(0);
    const sentence = 'China had trained 2,700 foreign law enforcement officers in 2023.';
    const count = await generator.countTokens(sentence);
    // A BPE tokenizer: more tokens than words, fewer than characters; a whole prompt adds up its parts.
    expect(count).toBeGreaterThan(sentence.split(' ').length);
    expect(count).toBeLessThan(sentence.length / 2);
    expect(await generator.countTokens(`${sentence} ${sentence}`)).toBeGreaterThanOrEqual(2 * count);
  });

  it('gives up with GENERATOR_TIMEOUT when no token comes within the timeout', async () => {
    // No CPU reads a grounded prompt of two passages within 1 ms, so the first token cannot arrive in time.
    const impatient = await openLlamaGenerator({ modelPath: REAL_GENERATOR.modelPath, name: REAL_GENERATOR.spec.name, sha256: REAL_GENERATOR.sha256, contextTokens: 2048, timeoutMs: 1 });
    try {
      const error = await collect(impatient.stream(initiativePrompt, { maxTokens: 48 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GeneratorError);
      expect(error).toMatchObject({ code: 'GENERATOR_TIMEOUT' });
      expect((error as Error).message).toContain('smollm2-135m-instruct wrote nothing for 1 ms: raise GENERATOR_TIMEOUT_MS');
    } finally {
      await impatient.dispose();
    }
  });

  it('refuses a prompt that leaves no room to reply, rather than cutting it', async () => {
    const long = groundedAnswerPrompt({ question: 'What happened?', sources: Array.from({ length: 40 }, (_, i) => ({ ...sources[i % sources.length]!, n: i + 1 })) });
    const error = await collect(generator.stream(long, { maxTokens: 48 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GENERATOR_FAILED' });
    expect((error as Error).message).toMatch(new RegExp(`the prompt takes \\d+ tokens, leaving no room to reply in the ${REAL_GENERATOR.spec.contextTokens}-token context of smollm2-135m-instruct: give it fewer or shorter passages`));
  });
});

describe('the local generator without its model', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-llama-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('says GENERATOR_MISSING and how to fetch it when the file is not there', async () => {
    const error = await openLlamaGenerator({ modelPath: path.join(tmp, 'absent.gguf'), name: 'smollm2-135m-instruct', sha256: '0'.repeat(64), contextTokens: 2048, timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeneratorError);
    expect(error).toMatchObject({ code: 'GENERATOR_MISSING' });
    expect((error as Error).message).toBe(`the local model smollm2-135m-instruct is not at ${path.join(tmp, 'absent.gguf')} (or cannot be read): run \`npm run models -- fetch smollm2-135m-instruct\``);
  });

  it('says GENERATOR_MISSING when the file is not a model', async () => {
    const junk = path.join(tmp, 'junk.gguf');
    await writeFile(junk, 'not a gguf file');
    const error = await openLlamaGenerator({ modelPath: junk, name: 'smollm2-135m-instruct', sha256: '0'.repeat(64), contextTokens: 2048, timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GENERATOR_MISSING' });
    expect((error as Error).message).toContain(`the local model smollm2-135m-instruct at ${junk} could not be loaded (`);
    expect((error as Error).message).toContain('run `npm run models -- fetch smollm2-135m-instruct` to replace it');
  });

  it('from configuration, with downloads off and an empty model folder, says GENERATOR_MISSING and the fetch command', async () => {
    const config = loadConfig({ env: {}, overrides: { modelDir: path.join(tmp, 'models'), allowRemoteModels: false, logLevel: 'silent' } });
    const error = await openConfiguredLocalGenerator(config).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GENERATOR_MISSING' });
    expect((error as Error).message).toContain('generator HuggingFaceTB/SmolLM2-135M-Instruct not available: not found in');
    expect((error as Error).message).toContain('run `npm run models -- fetch smollm2-135m-instruct`');
  });

  it('from configuration, refuses a GENERATOR_MODEL that is not a catalog generator, listing the choices', async () => {
    const config = loadConfig({ env: {}, overrides: { modelDir: path.join(tmp, 'models'), generatorModel: 'all-MiniLM-L6-v2', logLevel: 'silent' } });
    await expect(openConfiguredLocalGenerator(config)).rejects.toThrow('GENERATOR_MODEL "all-MiniLM-L6-v2" is not a local generator in the model catalog: choose one of smollm2-135m-instruct, gemma3-270m');
  });
});
