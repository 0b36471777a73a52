import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';

export type WebhookEndpointStatus = 'ENABLED' | 'DISABLED';

/**
 * A webhook endpoint (SPEC §19): a durable subscriber with a cursor over the event table. The delivery state —
 * cursor, consecutive failures of the event at the cursor, when to try again, and the lease of the instance working
 * on it — lives in the row, so any instance can continue where another stopped (or crashed).
 */
@Entity('webhook_endpoints')
@Index('webhook_endpoints_partner_created_idx', ['partnerId', 'createdAt', 'id'])
@Index('webhook_endpoints_created_idx', ['createdAt', 'id'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Null: the provider's endpoint, receiving every partner's events. */
  @Column({ type: 'uuid', name: 'partner_id', nullable: true }) partnerId: string | null;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_webhook_endpoints_partner_id' })
  partner?: PartnerEntity;
  @Column({ type: 'text' }) url: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  /** Empty: every type. */
  @Column({ type: 'text', name: 'event_types', array: true, default: () => "'{}'" }) eventTypes: string[];
  @Column({ type: 'text' }) status: WebhookEndpointStatus;
  @Column({ type: 'text', name: 'disabled_reason', nullable: true }) disabledReason: string | null;
  @Column({ type: 'text' }) secret: string;
  /** After a rotation the previous secret also signs until previousSecretUntil. */
  @Column({ type: 'text', name: 'previous_secret', nullable: true }) previousSecret: string | null;
  @Column({ type: 'timestamptz', name: 'previous_secret_until', nullable: true }) previousSecretUntil: Date | null;
  /** Sequence of the last event delivered (or passed over as not for this endpoint). */
  @Column({ type: 'bigint', default: '0' }) cursor: string;
  /** Consecutive failed attempts of the event after the cursor. */
  @Column({ type: 'int', default: 0 }) failures: number;
  /** Not before this instant (real time) is the next attempt made; null = now. */
  @Column({ type: 'timestamptz', name: 'next_attempt_at', nullable: true }) nextAttemptAt: Date | null;
  /** The instance delivering for this endpoint, until leaseUntil (real time). */
  @Column({ type: 'text', name: 'lease_owner', nullable: true }) leaseOwner: string | null;
  @Column({ type: 'timestamptz', name: 'lease_until', nullable: true }) leaseUntil: Date | null;
  /** Incremented by every change made through the API, so an attempt in flight cannot overwrite it. */
  @Column({ type: 'int', default: 0 }) generation: number;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
