// One mutation call's audit entry (SPEC §20). A change commits with its entry: the entry is inserted by the
// transaction's own connection right before COMMIT (audit-commit.subscriber.ts), so a failed insert rolls the
// change back. A call whose transactions changed nothing (refused, failed, or a replay) is recorded after it ends.
import type { DataSource, QueryRunner } from 'typeorm';
import type { Logger } from '../../shared/logger';
import { isUuid } from '../../shared/validation';
import type { ActorRef, AuditHook } from '../../shared/acting';
import type { AuditOutcome } from './audit-entry.entity';
import { redactedInput } from './redact';

export interface AuditCall {
  operation: string;
  actor: ActorRef;
  /** The acting token's partner: the entry's partner when the call names none. */
  actorPartnerId: string | null;
  requestId: string | null;
  args: unknown;
  occurredAt: Date;
}

interface Target {
  partnerId: string | null;
  entityId: string | null;
}

const INSERT = `INSERT INTO audit_entries (occurred_at, actor_kind, actor_token_id, operation, partner_id, entity_id, outcome, codes, request_id, input)
  SELECT $1, $2, $3::uuid, $4, (SELECT id FROM partners WHERE id = $5::uuid), $6, $7, $8::text[], $9, $10`;
/** At commit: only a transaction that wrote something (an xid was assigned) carries the entry. */
const INSERT_IF_CHANGED = `${INSERT} WHERE txid_current_if_assigned() IS NOT NULL RETURNING id`;

/** Input fields that name the object a call is about, most specific first. */
const ENTITY_KEYS = ['id', 'dealId', 'projectId', 'presaleRequestId', 'withdrawalId', 'customerId', 'endpointId', 'batchId', 'month', 'partnerId'];
const MAX_ID = 200;

const asId = (value: unknown): string | null => (typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, MAX_ID) : null);
const asPartner = (value: unknown): string | null => (typeof value === 'string' && isUuid(value) ? value : null);

function inputTarget(args: unknown): Target {
  const record = (args ?? {}) as Record<string, unknown>;
  const input = (record.input && typeof record.input === 'object' ? record.input : record) as Record<string, unknown>;
  const key = ENTITY_KEYS.find((k) => asId(input[k]) !== null);
  return { partnerId: asPartner(input.partnerId), entityId: key ? asId(input[key]) : null };
}

/** The object a payload returns (partner, deal, apiToken, …): what a call that created something concerned. */
function payloadTarget(payload: unknown): Target {
  for (const [key, value] of Object.entries((payload ?? {}) as Record<string, unknown>)) {
    if (key === 'userErrors' || !value || typeof value !== 'object' || !('id' in value)) continue;
    const object = value as { id: unknown; partnerId?: unknown };
    return { partnerId: key === 'partner' ? asPartner(object.id) : asPartner(object.partnerId), entityId: asId(object.id) };
  }
  return { partnerId: null, entityId: null };
}

export class AuditScope implements AuditHook {
  private eventTarget: Target | null = null;
  /** The first row this call inserted through an entity (e.g. a new API token): the entity when no event names one. */
  private insertedId: string | null = null;
  private written = false;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    readonly call: AuditCall,
  ) {}

  noteTarget(partnerId: string, entityId: string): void {
    this.eventTarget ??= { partnerId, entityId };
  }

  noteInserted(id: unknown): void {
    this.insertedId ??= asId(id);
  }

  /** Called right before a transaction of this call commits; writes the SUCCEEDED entry into it (first change only). */
  async writeAtCommit(runner: QueryRunner): Promise<void> {
    if (this.written) return;
    this.written = true; // claimed now: a second transaction committing meanwhile does not write another
    try {
      const rows: unknown[] = await runner.query(INSERT_IF_CHANGED, this.params('SUCCEEDED', [], null));
      this.written = rows.length > 0;
    } catch (error) {
      this.written = false;
      throw error; // the transaction rolls back: no change without its entry
    }
  }

  /** The same entry for a transaction committed outside TypeORM, folded into its COMMIT round trip. */
  commitStatement(): { statement: { text: string; values: unknown[] }; settle(written: boolean): void } | null {
    if (this.written) return null;
    this.written = true; // claimed, as in writeAtCommit
    return { statement: { text: INSERT_IF_CHANGED, values: this.params('SUCCEEDED', [], null) }, settle: (written) => (this.written = written) };
  }

  /** After the call: records it unless a committed change already carries its entry. Never throws. */
  async finish(outcome: AuditOutcome, codes: string[], payload: unknown): Promise<void> {
    if (this.written) return;
    this.written = true;
    try {
      await this.ds.query(INSERT, this.params(outcome, codes, payload));
    } catch (error) {
      this.logger.error({ err: error, operation: this.call.operation, requestId: this.call.requestId, outcome }, 'audit entry could not be written');
    }
  }

  private params(outcome: AuditOutcome, codes: string[], payload: unknown): unknown[] {
    const fromInput = inputTarget(this.call.args);
    const fromPayload = payload ? payloadTarget(payload) : { partnerId: null, entityId: null };
    const target = this.eventTarget;
    const partnerId = target?.partnerId ?? fromInput.partnerId ?? fromPayload.partnerId ?? this.call.actorPartnerId;
    const entityId = target?.entityId ?? fromPayload.entityId ?? this.insertedId ?? fromInput.entityId;
    const { call } = this;
    return [
      call.occurredAt,
      call.actor.kind,
      call.actor.tokenId,
      call.operation,
      partnerId,
      entityId,
      outcome,
      codes,
      call.requestId,
      redactedInput(call.args),
    ];
  }
}
