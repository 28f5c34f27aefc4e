/**
 * The body of one embedding worker thread (run by the pool in pooled-embedder.ts): its own model session with one
 * intra-op thread, embedding one batch at a time. Everything is wired here from `workerData`.
 */
import { workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Embedder } from './embedder.js';
import { loadEmbedder, type LoadEmbedderOptions } from './load-embedder.js';

/** What the pool hands each worker: how to load the model (the plain-data part of `LoadEmbedderOptions`). */
export interface EmbedWorkerData {
  readonly load: Omit<LoadEmbedderOptions, 'signal'>;
}

/** One task: a batch to embed, or a request for what the model is. */
export type EmbedWorkerTask = { readonly kind: 'embed'; readonly texts: readonly string[] } | { readonly kind: 'describe' };

/** What a `describe` task answers. */
export type EmbedWorkerDescription = Pick<Embedder, 'id' | 'dimension' | 'model'>;

const { load } = workerData as EmbedWorkerData;

async function start(): Promise<(task: EmbedWorkerTask) => Promise<unknown>> {
  const embedder = await loadEmbedder(load);
  return async (task) => {
    if (task.kind === 'describe') return { id: embedder.id, dimension: embedder.dimension, model: embedder.model } satisfies EmbedWorkerDescription;
    const vectors = await embedder.embed(task.texts);
    const flat = new Float32Array(vectors.length * embedder.dimension);
    vectors.forEach((vector, i) => flat.set(vector, i * embedder.dimension));
    return Piscina.move(flat);
  };
}

// A worker that cannot load the model fails each task with the reason (the pool reports it), instead of dying unheard.
export default start().catch((error: unknown) => async () => Promise.reject(error instanceof Error ? error : new Error(String(error))));
