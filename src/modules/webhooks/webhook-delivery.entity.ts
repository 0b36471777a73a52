import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { EventEntity } from '../../event-log/event.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

/** One attempt to deliver an event (or a test message) to an endpoint (SPEC §19). */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_endpoint_attempted_idx', ['endpointId', 'attemptedAt', 'id'])
@Index('webhook_deliveries_sequence_idx', ['sequence'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', name: 'endpoint_id' }) endpointId: string;
  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'fk_webhook_deliveries_endpoint_id' })
  endpoint?: WebhookEndpointEntity;
  /** The event delivered; null for a WEBHOOK_TEST message. */
  @Column({ type: 'bigint', nullable: true }) sequence: string | null;
  @ManyToOne(() => EventEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'sequence', referencedColumnName: 'sequence', foreignKeyConstraintName: 'fk_webhook_deliveries_sequence' })
  event?: EventEntity;
  /** The webhook-id header sent. */
  @Column({ type: 'text', name: 'message_id' }) messageId: string;
  @Column({ type: 'text', name: 'event_type' }) eventType: string;
  @Column({ type: 'int' }) attempt: number;
  @Column({ type: 'int', name: 'response_status', nullable: true }) responseStatus: number | null;
  @Column({ type: 'int', name: 'duration_ms' }) durationMs: number;
  @Column({ type: 'boolean' }) succeeded: boolean;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'timestamptz', name: 'attempted_at' }) attemptedAt: Date;
}
