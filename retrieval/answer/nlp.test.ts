import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNlpTools } from './nlp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('createNlpTools', () => {
  it('loads the wink model only when something is read, or when asked to', () => {
    // A process of its own: whether the model module is loaded is a fact about the whole process.
    const script = `
      import { createRequire } from 'node:module';
      import { createNlpTools } from './retrieval/answer/nlp.ts';
      const require = createRequire(import.meta.url);
      const modelLoaded = () => Object.keys(require.cache).some((file) => file.includes('wink-eng-lite-web-model'));
      const tools = createNlpTools();
      const states = [modelLoaded(), tools.stem('trained'), typeof tools.its.pos];
      tools.load();
      states.push(modelLoaded());
      console.log(JSON.stringify(states));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual([false, 'train', 'function', true]);
  });

  it('reads with the model once loaded, and its helpers are the loaded instance’s', () => {
    const tools = createNlpTools();
    const doc = tools.read('The mice gave Mirela a lighthouse in 1873. It still stands.');
    expect(doc.sentences().length()).toBe(2);
    expect(tools.lemma('mice')).toBe('mouse');
    expect(tools.lemma('gave')).toBe('give');
    expect(tools.its).toBe(tools.nlp.its);
    expect(createNlpTools()).toBe(tools);
  });
});
