import { Check, Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { WithdrawalEntity } from '../withdrawals/withdrawal.entity';
import { ProjectEntity } from '../projects/project.entity';
import { PartnerEntity } from '../partners/partner.entity';
import { moneyColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

import type { LedgerEntryKind } from './domain/ledger-kinds';

export type { LedgerEntryKind };

/**
 * The rebate ledger (SPEC §11): append-only, a signed amount and the running balance after it. Entries are never
 * updated or deleted; `sequence` is the entry's position in the event stream (the subscription cursor).
 */
@Entity('ledger_entries')
// Declared here too (it is created by the migration) so the schema builder does not see it as a stray constraint.
@Check('ledger_entries_balance_non_negative', '"balance_after" >= 0')
@Check('ledger_entries_balance_non_negative', '"balance_after" >= 0')
@Index('ledger_entries_partner_sequence_idx', ['partnerId', 'sequence'])
@Index('ledger_entries_sequence_key', ['sequence'], { unique: true })
@Index('ledger_entries_project_idx', ['projectId'])
@Index('ledger_entries_withdrawal_idx', ['withdrawalId'])
export class LedgerEntryEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_ledger_entries_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text' }) kind: LedgerEntryKind;
  @Column({ ...moneyColumn }) amount: Dec;
  @Column({ ...moneyColumn, name: 'balance_after' }) balanceAfter: Dec;
  @Column({ type: 'text', nullable: true }) period: string | null;
  @ForeignKey(() => ProjectEntity, { name: 'fk_ledger_entries_project_id' }) @Column({ type: 'uuid', name: 'project_id', nullable: true }) projectId:
    string | null;
  @Column({ type: 'text', nullable: true }) specialization: string | null;
  @ForeignKey(() => WithdrawalEntity, { name: 'fk_ledger_entries_withdrawal_id' })
  @Column({ type: 'uuid', name: 'withdrawal_id', nullable: true })
  withdrawalId: string | null;
  @Column({ type: 'text' }) description: string;
  @Column({ type: 'bigint' }) sequence: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
