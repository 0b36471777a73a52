// Applies time-driven transitions (SPEC §15) on their due dates, in date order, idempotently.
// Each source lists what is due by today; each item re-checks its own state in its own transaction, so running the
// scheduler twice, or on two instances at once, applies every transition once.
import { actingAs, SCHEDULER } from '../../shared/acting';
import type { Logger } from '../../shared/logger';
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
  /** The Moscow day of the last completed run: a request on a later day catches up first (see catchUp). */
  private completedFor: string | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  register(source: DueSource): void {
    this.sources.push(source);
  }

  /**
   * Applies everything due by today; returns how many transitions were applied. Concurrent calls share a run, and a
   * run that started before the clock moved is followed by another, so the caller always sees today's state.
   */
  async runDue(): Promise<number> {
    let applied = 0;
    for (;;) {
      if (this.running) {
        applied += await this.running.catch(() => 0);
        if (this.completedFor === this.clock.today()) return applied;
        continue;
      }
      const today = this.clock.today();
      this.running = this.runOnce(today).finally(() => {
        this.running = null;
      });
      applied += await this.running;
      this.completedFor = today;
      if (this.clock.today() === today) return applied;
    }
  }

  /** Before serving a request on a new day, make that day's transitions visible (cheap when already done). */
  async catchUp(): Promise<void> {
    if (this.completedFor !== this.clock.today()) await this.runDue();
  }

  private async runOnce(today: string): Promise<number> {
    let applied = 0;
    // A source that cannot list its due transitions is logged and retried next run; the others still apply.
    const listed = await Promise.all(
      this.sources.map((source) =>
        source(today).catch((error) => {
          this.logger.error({ err: error }, 'listing scheduled transitions failed');
          return [] as DueTransition[];
        }),
      ),
    );
    const due = listed.flat();
    due.sort((a, b) => (a.dueDate === b.dueDate ? a.key.localeCompare(b.key) : a.dueDate < b.dueDate ? -1 : 1));
    for (const item of due) {
      // One failing transition must not hold back the others (nor the server's start): log it, retry next run.
      try {
        // Time-driven changes are the SCHEDULER's, also when advanceClock (a mutation) brought them due (SPEC §20).
        if (await actingAs(SCHEDULER, null, () => item.apply())) applied++;
      } catch (error) {
        this.logger.error({ err: error, transition: item.key, dueDate: item.dueDate }, 'scheduled transition failed');
      }
    }
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
