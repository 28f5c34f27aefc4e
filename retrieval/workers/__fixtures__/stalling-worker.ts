/**
 * The real answering worker, except that a question starting with `STALL` runs one synchronous step that never
 * ends: the stand-in for any input that is slow by accident. It proves the pool's deadline and cancel stop such
 * work for real (the thread is terminated and replaced) while the server goes on serving.
 */
import realHandler from '../ask-worker.js';
import { threadId } from 'node:worker_threads';
import type { WorkerMessage, WorkerTask } from '../worker-messages.js';

/** Burns CPU until the thread is terminated; never yields to the event loop, so a cancel message cannot arrive. */
function stallForever(): never {
  for (;;) Math.sqrt(Math.random());
}

async function start(): Promise<(task: WorkerTask) => Promise<void>> {
  const handle = await realHandler;
  return async (task) => {
    if (task.kind === 'ask' && task.request.question.startsWith('STALL')) {
      // As the real handler does first, so the pool knows which thread to end.
      task.port.postMessage({ type: 'started', threadId } satisfies WorkerMessage);
      stallForever();
    }
    return handle(task);
  };
}

export default start();
