/**
 * Runs CPU-bound steps one at a time with an event-loop turn between them. Retrieval and extractive answering
 * are synchronous work; when fifty asks become ready at once they would otherwise all run inside one turn, and
 * sockets would wait seconds to be accepted or read. Taking turns costs no throughput on one thread and keeps
 * the loop responsive: between two steps, pending I/O is always served.
 */
export class TurnTakingQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `step` after every step queued before it, and after one more pass of the event loop. */
  run<T>(step: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
