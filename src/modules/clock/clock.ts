// The one clock every "today" rule reads (SPEC §15). System mode follows the server clock; manual mode keeps its
// instant in the database (shared by all instances) and moves only through advanceClock.
import type { DataSource, EntityManager } from 'typeorm';
import { moscowDate } from '../../shared/dates';
import { DomainError } from '../../shared/domain-error';

export class Clock {
  private current: Date;
  private kind: 'system' | 'manual';

  constructor(
    mode: 'system' | 'manual',
    private readonly start: Date = new Date(),
  ) {
    this.kind = mode;
    this.current = start;
  }

  get mode(): 'system' | 'manual' {
    return this.kind;
  }

  /**
   * For tools sharing a server's database (the CSV import) started without CLOCK: when a CLOCK=manual server keeps
   * its instant in this database, follow it (manual mode, synced from the database). Returns whether it did.
   */
  async followDatabase(ds: DataSource | EntityManager): Promise<boolean> {
    if (this.kind === 'manual') return false;
    const manager = 'manager' in ds ? ds.manager : ds;
    const rows: { now: Date }[] = await manager.query('SELECT now FROM clock_state WHERE id = 1');
    if (rows.length === 0) return false;
    this.kind = 'manual';
    this.current = new Date(rows[0].now);
    return true;
  }

  now(): Date {
    return this.mode === 'system' ? new Date() : new Date(this.current.getTime());
  }

  /** Today's Moscow calendar date. */
  today(): string {
    return moscowDate(this.now());
  }

  /**
   * Manual mode: loads the shared instant (creating it from CLOCK_START the first time). Runs for every request of
   * a manual-clock server, so it is one plain read once the row exists.
   */
  async sync(ds: DataSource | EntityManager): Promise<void> {
    if (this.mode !== 'manual') return;
    const manager = 'manager' in ds ? ds.manager : ds;
    let rows: { now: Date }[] = await manager.query('SELECT now FROM clock_state WHERE id = 1');
    if (rows.length === 0) {
      await manager.query('INSERT INTO clock_state (id, now) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [this.start]);
      rows = await manager.query('SELECT now FROM clock_state WHERE id = 1');
    }
    this.current = new Date(rows[0].now);
  }

  /** Moves the manual clock forward inside the caller's transaction; returns the new instant. */
  async advance(manager: EntityManager, to: Date): Promise<Date> {
    if (this.mode !== 'manual') throw new DomainError('CLOCK_NOT_MANUAL', 'The clock is not manual (start the server with CLOCK=manual)');
    const [row] = await manager.query('SELECT now FROM clock_state WHERE id = 1 FOR UPDATE');
    const stored: Date = row ? new Date(row.now) : this.current;
    if (to.getTime() < stored.getTime()) {
      this.current = stored;
      throw new DomainError('CLOCK_BACKWARDS', `The clock only moves forward; it is ${stored.toISOString()}`, ['input', 'to']);
    }
    await manager.query('UPDATE clock_state SET now = $1 WHERE id = 1', [to]);
    this.current = to;
    return to;
  }
}
