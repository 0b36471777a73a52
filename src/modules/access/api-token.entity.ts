import { Column, Entity, Index, PrimaryGeneratedColumn, ForeignKey } from 'typeorm';
import { PartnerEntity } from '../partners/partner.entity';

import type { Role } from '../../shared/viewer';

export type { Role };

/** API tokens are stored only as a SHA-256 hash; the token itself is shown once. */
@Entity('api_tokens')
@Index('api_tokens_partner_idx', ['partnerId', 'createdAt'])
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('api_tokens_hash_key', { unique: true }) @Column({ type: 'text', name: 'token_hash' }) tokenHash: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) role: Role;
  @ForeignKey(() => PartnerEntity, { name: 'fk_api_tokens_partner_id' }) @Column({ type: 'uuid', name: 'partner_id', nullable: true }) partnerId: string | null;
  @Column({ type: 'uuid', name: 'created_by', nullable: true }) createdBy: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}
