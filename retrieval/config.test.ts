import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig: generation settings', () => {
  it('answers extractively with no model by default', () => {
    expect(loadConfig({ env: {} })).toMatchObject({ answerer: 'extractive', generator: 'local', generatorTimeoutMs: 30_000, generatorPassages: 3, generatorPassageSentences: 0 });
    expect(loadConfig({ env: { GENERATOR_PASSAGE_SENTENCES: '2' } }).generatorPassageSentences).toBe(2);
  });

  it('takes GENERATOR_BASE_URL and GENERATOR_MODEL alone as "answer with this server"', () => {
    const config = loadConfig({ env: { GENERATOR_BASE_URL: 'http://127.0.0.1:11434/v1', GENERATOR_MODEL: 'llama3.2:3b' } });
    expect(config).toMatchObject({ answerer: 'generative', generator: 'openai-compatible', generatorBaseUrl: 'http://127.0.0.1:11434/v1', generatorModel: 'llama3.2:3b' });
  });

  it('keeps an explicit choice over what the URL implies', () => {
    expect(loadConfig({ env: { GENERATOR_BASE_URL: 'http://127.0.0.1:11434/v1', GENERATOR_MODEL: 'm', ANSWERER: 'extractive' } }).answerer).toBe('extractive');
  });

  it('refuses openai-compatible without a server or model, naming both settings and an example', () => {
    expect(() => loadConfig({ env: { ANSWERER: 'generative', GENERATOR: 'openai-compatible' } })).toThrow(/GENERATOR_BASE_URL.*11434.*GENERATOR_MODEL/);
    expect(() => loadConfig({ env: { GENERATOR_BASE_URL: 'http://127.0.0.1:11434/v1' } })).toThrow(/GENERATOR_MODEL/);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ env: { ANSWERER: 'poetic' } })).toThrow(/answerer \(ANSWERER\)/);
    expect(() => loadConfig({ env: { GENERATOR_TIMEOUT_MS: '5' } })).toThrow(/GENERATOR_TIMEOUT_MS/);
  });
});
