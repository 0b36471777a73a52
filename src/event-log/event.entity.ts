import { Column, Entity, Index, PrimaryColumn, ForeignKey } from 'typeorm';
import type { ActorKind } from '../shared/acting';

export type ActivityType =
  | 'PARTNER_STATUS_CHANGED'
  | 'CUSTOMER_STATUS_CHANGED'
  | 'DEAL_STATUS_CHANGED'
  | 'PROJECT_STATUS_CHANGED'
  | 'PRESALE_STATUS_CHANGED'
  | 'WITHDRAWAL_STATUS_CHANGED'
  | 'INVOICE_FINALIZED';
export type EventType = ActivityType | 'LEDGER_ENTRY';

/**
 * The append-only event stream (SPEC §13). `sequence` comes from the sequence `event_sequence` and is taken under a
 * transaction-scoped advisory lock, so sequences become visible in commit order and a reader never skips one.
 */
@Entity('events')
@Index('events_partner_sequence_idx', ['partnerId', 'sequence'])
export class EventEntity {
  @PrimaryColumn({ type: 'bigint' }) sequence: string;
  @ForeignKey('PartnerEntity', { name: 'fk_events_partner_id' }) @Column({ type: 'uuid', name: 'partner_id' }) partnerId: string;
  @Column({ type: 'text' }) type: EventType;
  @Column({ type: 'text', name: 'entity_id' }) entityId: string;
  @Column({ type: 'text', nullable: true }) status: string | null;
  @Column({ type: 'timestamptz', name: 'occurred_at' }) occurredAt: Date;
  @Column({ type: 'timestamptz', name: 'recorded_at', default: () => 'now()' }) recordedAt: Date;
  /** Who caused the event (SPEC §20); a TOKEN actor names its token (never deleted, only revoked). */
  @Column({ type: 'text', name: 'actor_kind', default: 'SYSTEM' }) actorKind: ActorKind;
  @ForeignKey('ApiTokenEntity', { name: 'fk_events_actor_token_id' }) @Column({ type: 'uuid', name: 'actor_token_id', nullable: true }) actorTokenId:
    string | null;
}
