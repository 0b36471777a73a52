// Coalesces independent calls into set-based queries: every caller awaits its own item, and the items queued while
// the previous group's query runs (or within one turn of the event loop) go out together as the next group. One group
// runs at a time, so under load the groups grow instead of the queries multiplying, and a lone call waits one turn.

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = false;
  private scheduled = false;

  /** `run` answers a group in the order of its items (one answer per item); its failure fails every item of the group. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxGroup = 1000,
  ) {}

  load(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate: after this turn's I/O callbacks, so the answers arriving together are recorded together.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const group = this.queue.splice(0, this.maxGroup);
    try {
      const answers = await this.run(group.map((pending) => pending.item));
      group.forEach((pending, i) => pending.resolve(answers[i]));
    } catch (error) {
      for (const pending of group) pending.reject(error);
    } finally {
      this.running = false;
      if (this.queue.length) this.schedule();
    }
  }
}
