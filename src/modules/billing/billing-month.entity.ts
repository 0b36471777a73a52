import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A closed billing month and the result of its close (returned again by any later close of it). */
@Entity('billing_months')
export class BillingMonthEntity {
  /** First day of the month. */
  @PrimaryColumn({ type: 'date' }) month: string;
  @Column({ type: 'timestamptz', name: 'closed_at' }) closedAt: Date;
  @Column({ type: 'int', name: 'invoices_finalized' }) invoicesFinalized: number;
  @Column({ type: 'int', name: 'rebate_entries_created' }) rebateEntriesCreated: number;
}
