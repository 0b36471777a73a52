import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { moneyColumn } from '../../shared/columns';
import type { Dec } from '../../shared/money';

export type ConsumptionSource = 'API' | 'CSV';

/**
 * One day of one service's usage in a cloud folder of a billing account, as the provider's billing feed reports it.
 * Partitioned by month on `date` (migration ConsumptionPartitions, src/modules/consumption/partitions.ts), hence the
 * primary key (id, date): a partitioned table's keys include its partition key.
 */
@Entity('consumption_records')
@Check('consumption_amounts_check', '"cost" >= 0 AND "grant_credit" >= 0 AND "grant_credit" <= "cost"')
@Index('consumption_account_date_idx', ['billingAccountId', 'date'])
@Index('consumption_date_idx', ['date'])
@Index('consumption_cloud_idx', ['cloudId', 'date'])
@Index('consumption_folder_idx', ['folderId', 'date'])
export class ConsumptionRecordEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'text', name: 'billing_account_id' }) billingAccountId: string;
  @PrimaryColumn({ type: 'date' }) date: string;
  @Column({ type: 'text', name: 'service_id' }) serviceId: string;
  @Column({ type: 'text', name: 'cloud_id' }) cloudId: string;
  @Column({ type: 'text', name: 'folder_id' }) folderId: string;
  @Column({ ...moneyColumn, precision: 24, scale: 6 }) cost: Dec;
  @Column({ ...moneyColumn, precision: 24, scale: 6, name: 'grant_credit' }) grantCredit: Dec;
  @Column({ type: 'text' }) source: ConsumptionSource;
  @Column({ type: 'text', name: 'batch_id', nullable: true }) batchId: string | null;
}
