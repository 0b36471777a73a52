import type { DataSource } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { ForbiddenAction } from '../../shared/domain-error';
import { FieldChecks, isUuid } from '../../shared/validation';
import { statement, type SqlReader } from '../../shared/sql';
import type { Clock } from '../clock/clock';
import { PartnerEntity } from '../partners/partner.entity';
import { ApiTokenEntity, type Role } from './api-token.entity';
import { hashToken, newToken } from './tokens';
import { canCreateTokenOfRole, type Viewer } from './viewer';

/** Most tokens kept in the token → viewer cache (the oldest goes first). */
const TOKEN_CACHE_SIZE = 10_000;
/** NOTIFY channel of token revocations, heard by every instance (App wires it to the event bus's connection). */
export const TOKEN_REVOKED_CHANNEL = 'api_token_revoked';

/**
 * Token → viewer cache. A token's role and partner never change; only revocation ends it, and a revocation is
 * NOTIFYed to every instance, which forgets the token. The cache is used only while that channel is heard
 * (`listening`), and emptied whenever it was not: a missed notification cannot leave a revoked token cached.
 */
class TokenCache {
  private readonly byHash = new Map<string, Viewer>();
  private readonly hashById = new Map<string, string>();
  private listening = false;
  /** Moves on every forget: a lookup that raced with a revocation does not store its (maybe stale) answer. */
  generation = 0;

  get(hash: string): Viewer | undefined {
    return this.listening ? this.byHash.get(hash) : undefined;
  }

  set(hash: string, viewer: Viewer, generation: number): void {
    if (!this.listening || generation !== this.generation || !viewer.tokenId) return;
    if (this.byHash.size >= TOKEN_CACHE_SIZE) {
      const [oldest, old] = this.byHash.entries().next().value as [string, Viewer];
      this.byHash.delete(oldest);
      this.hashById.delete(old.tokenId!);
    }
    this.byHash.set(hash, viewer);
    this.hashById.set(viewer.tokenId, hash);
  }

  forget(tokenId: string): void {
    this.generation++;
    const hash = this.hashById.get(tokenId);
    if (hash) this.byHash.delete(hash);
    this.hashById.delete(tokenId);
  }

  setListening(listening: boolean): void {
    this.generation++;
    this.byHash.clear();
    this.hashById.clear();
    this.listening = listening;
  }
}

const BY_HASH = statement(
  'access.tokenByHash',
  'SELECT id, role, partner_id AS "partnerId", revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE token_hash = $1',
);

export class AccessService {
  private readonly tokens = new TokenCache();

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly adminTokenHash: string,
    /** Plain-pg reads (the token lookup of a token not cached yet). */
    private readonly sql: SqlReader,
  ) {}

  /** Resolves a bearer token to a viewer; null when unknown or revoked. */
  async authenticate(token: string): Promise<Viewer | null> {
    const hash = hashToken(token);
    if (this.adminTokenHash && hash === this.adminTokenHash) return { tokenId: null, role: 'ADMIN', partnerId: null };
    const cached = this.tokens.get(hash);
    if (cached) return cached;
    const generation = this.tokens.generation;
    const [row] = await this.sql.rows<{ id: string; role: Role; partnerId: string | null; revoked: boolean }>(BY_HASH, [hash]);
    if (!row || row.revoked) return null;
    const viewer: Viewer = { tokenId: row.id, role: row.role, partnerId: row.partnerId };
    this.tokens.set(hash, viewer, generation);
    return viewer;
  }

  /** Wiring for the revocation channel (TOKEN_REVOKED_CHANNEL): a revoked token id, and whether the channel is heard. */
  readonly revocations = {
    message: (tokenId: string) => this.tokens.forget(tokenId),
    up: () => this.tokens.setListening(true),
    down: () => this.tokens.setListening(false),
  };

  /** Which of these token ids are revoked (or gone). */
  async revokedAmong(tokenIds: string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await this.ds.query(`SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`, [tokenIds]);
    const active = new Set(rows.map((r) => r.id));
    return new Set(tokenIds.filter((id) => !active.has(id)));
  }

  async create(viewer: Viewer, input: { role: Role; partnerId?: string | null; name: string }): Promise<{ token: string; apiToken: ApiTokenEntity }> {
    const checks = new FieldChecks();
    const name = checks.text(['input', 'name'], input.name, { max: 200, label: 'Name' });
    const partnerId = input.partnerId ?? (viewer.role === 'ADMIN' ? null : viewer.partnerId);
    if (input.role === 'ADMIN' && partnerId) checks.fail(['input', 'partnerId'], 'An ADMIN token belongs to no partner');
    if (input.role !== 'ADMIN' && !partnerId) checks.fail(['input', 'partnerId'], 'A partner role needs partnerId');
    if (!canCreateTokenOfRole(viewer, input.role, partnerId)) throw new ForbiddenAction('A token can never create a token with more rights than its own');
    checks.done();
    return this.ds.transaction(async (manager) => {
      if (partnerId && !(isUuid(partnerId) && (await manager.exists(PartnerEntity, { where: { id: partnerId } })))) {
        throw new DomainError('NOT_FOUND', `No partner with id ${partnerId}`, ['input', 'partnerId']);
      }
      const token = newToken();
      const apiToken = manager.create(ApiTokenEntity, {
        tokenHash: hashToken(token),
        name,
        role: input.role,
        partnerId,
        createdBy: viewer.tokenId,
        createdAt: this.clock.now(),
        revokedAt: null,
      });
      await manager.save(apiToken);
      return { token, apiToken };
    });
  }

  async revoke(viewer: Viewer, id: string): Promise<ApiTokenEntity> {
    return this.ds
      .transaction(async (manager) => {
        const token = isUuid(id) ? await manager.findOne(ApiTokenEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
        if (!token) throw new DomainError('NOT_FOUND', `No API token with id ${id}`, ['input', 'id']);
        if (viewer.role !== 'ADMIN' && (viewer.role !== 'PARTNER_OWNER' || token.partnerId !== viewer.partnerId)) {
          throw new ForbiddenAction('Only ADMIN or the owner of the partner can revoke this token');
        }
        if (token.revokedAt) throw new DomainError('INVALID_TRANSITION', 'The token is already revoked');
        token.revokedAt = this.clock.now();
        await manager.save(token);
        // Delivered at commit to every instance (this one too), which then forgets the token.
        await manager.query('SELECT pg_notify($1, $2)', [TOKEN_REVOKED_CHANNEL, token.id]);
        return token;
      })
      .then((token) => {
        this.tokens.forget(token.id);
        return token;
      });
  }
}
