// Applies time-driven transitions (SPEC §15) on their due dates, in date order, idempotently.
// Each source lists what is due by today; each item re-checks its own state in its own transaction, so running the
// scheduler twice, or on two instances at once, applies every transition once.
import type { Logger } from '../../app/logger';
import type { Clock } from './clock';

export interface DueTransition {
  dueDate: string;
  /** Stable order among transitions due the same day. */
  key: string;
  apply(): Promise<boolean>;
}

export type DueSource = (today: string) => Promise<DueTransition[]>;

export class Scheduler {
  private readonly sources: DueSource[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  register(source: DueSource): void {
    this.sources.push(source);
  }

  /** Runs until nothing is due; returns how many transitions were applied. Concurrent calls share one run. */
  runDue(): Promise<number> {
    if (!this.running) {
      this.running = this.runOnce().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async runOnce(): Promise<number> {
    let applied = 0;
    const today = this.clock.today();
    const due = (await Promise.all(this.sources.map((source) => source(today)))).flat();
    due.sort((a, b) => (a.dueDate === b.dueDate ? a.key.localeCompare(b.key) : a.dueDate < b.dueDate ? -1 : 1));
    for (const item of due) if (await item.apply()) applied++;
    return applied;
  }

  start(intervalMs = 60_000): void {
    this.timer = setInterval(() => {
      this.runDue().catch((error) => this.logger.error({ err: error }, 'scheduler run failed'));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
