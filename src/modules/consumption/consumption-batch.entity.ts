import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A stored recordConsumption batch: its id is the idempotency key, the fingerprint tells a replay from a reuse. */
@Entity('consumption_batches')
export class ConsumptionBatchEntity {
  @PrimaryColumn({ type: 'text', name: 'batch_id' }) batchId: string;
  @Column({ type: 'text' }) fingerprint: string;
  @Column({ type: 'int', name: 'record_count' }) recordCount: number;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
