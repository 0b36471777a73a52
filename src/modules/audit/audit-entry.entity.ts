import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ApiTokenEntity } from '../access/api-token.entity';
import { PartnerEntity } from '../partners/partner.entity';
import type { ActorKind } from '../../shared/acting';

export type AuditOutcome = 'SUCCEEDED' | 'REFUSED' | 'FAILED';

/**
 * One mutation call (SPEC §20). Append-only: a trigger (migration AuditLog) refuses UPDATE, DELETE and TRUNCATE.
 * `id` grows with every entry, so newest first is `id DESC`.
 */
@Entity('audit_entries')
@Index('audit_entries_partner_idx', ['partnerId', 'id'])
@Index('audit_entries_actor_token_idx', ['actorTokenId', 'id'])
@Index('audit_entries_occurred_at_idx', ['occurredAt'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'timestamptz', name: 'occurred_at' }) occurredAt: Date;
  @Column({ type: 'text', name: 'actor_kind' }) actorKind: ActorKind;
  @ForeignKey(() => ApiTokenEntity, { name: 'fk_audit_entries_actor_token_id' })
  @Column({ type: 'uuid', name: 'actor_token_id', nullable: true })
  actorTokenId: string | null;
  @Column({ type: 'text' }) operation: string;
  @ForeignKey(() => PartnerEntity, { name: 'fk_audit_entries_partner_id' }) @Column({ type: 'uuid', name: 'partner_id', nullable: true }) partnerId:
    string | null;
  @Column({ type: 'text', name: 'entity_id', nullable: true }) entityId: string | null;
  @Column({ type: 'text' }) outcome: AuditOutcome;
  @Column({ type: 'text', array: true }) codes: string[];
  @Column({ type: 'text', name: 'request_id', nullable: true }) requestId: string | null;
  @Column({ type: 'text', nullable: true }) input: string | null;
}
