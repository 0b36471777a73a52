import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { userError, type UserErrorShape } from '../../shared/domain-error';
import { ZERO, type Dec } from '../../shared/money';
import type { Clock } from '../clock/clock';
import type { ServicesService } from '../services/services.service';
import { ConsumptionBatchEntity } from './consumption-batch.entity';
import { batchError, checkRecordFields, firstOpenDay } from './domain/record-rules';
import { lockShared, LockSpace } from '../../shared/locks';
import { copyChunks, copyInto, copyText, transactionClient } from '../../shared/copy';

const ZERO_6 = ZERO.toFixed(6);

export interface ConsumptionRecordInput {
  billingAccountId: string;
  date: string;
  serviceId: string;
  cloudId: string;
  folderId: string;
  cost: Dec;
  grantCredit?: Dec | null;
}

export interface RecordConsumptionResult {
  accepted: number;
  duplicate: boolean;
  userErrors: UserErrorShape[];
}

/** The first day after the latest closed month: records dated before it are in a closed month. */
export async function openFrom(manager: EntityManager): Promise<string | null> {
  const [row] = await manager.query(`SELECT to_char(max(month), 'YYYY-MM') AS month FROM billing_months`);
  return firstOpenDay(row?.month ?? null);
}

export class ConsumptionService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly services: ServicesService,
  ) {}

  /**
   * Canonical form of a batch, so a replay matches however its amounts and services were written ("100" =
   * "100.000000", an alias = the service's id): per record its fields joined by U+0001 and ended by U+0002, amounts
   * with 6 fraction digits, a known service as its id (as written with `services` null: how batches stored before
   * aliases were resolved here were fingerprinted). Hashed in chunks (same digest).
   */
  private fingerprint(records: ConsumptionRecordInput[], costs: string[], grants: string[], services: Map<string, string> | null): string {
    const hash = createHash('sha256');
    let chunk = '';
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      chunk +=
        r.billingAccountId +
        '\u0001' +
        r.date +
        '\u0001' +
        (services?.get(r.serviceId) ?? r.serviceId) +
        '\u0001' +
        r.cloudId +
        '\u0001' +
        r.folderId +
        '\u0001' +
        costs[i] +
        '\u0001' +
        grants[i] +
        '\u0002';
      if (chunk.length > 65_536) {
        hash.update(chunk);
        chunk = '';
      }
    }
    hash.update(chunk);
    return hash.digest('hex');
  }

  /** `asWritten`: the fingerprint with services as written, which batches stored by earlier versions carry. */
  private replayResult(stored: ConsumptionBatchEntity, fingerprint: string, asWritten: () => string): RecordConsumptionResult {
    if (stored.fingerprint !== fingerprint && stored.fingerprint !== asWritten()) {
      return {
        accepted: 0,
        duplicate: false,
        userErrors: [userError(['input', 'batchId'], 'IDEMPOTENCY_KEY_REUSED', 'This batchId was already used for different records')],
      };
    }
    return { accepted: stored.recordCount, duplicate: true, userErrors: [] };
  }

  /** SPEC §5: an atomic batch. Replay → duplicate; any bad record → every problem reported, nothing stored. */
  async record(batchId: string, records: ConsumptionRecordInput[]): Promise<RecordConsumptionResult> {
    // Hot path (10,000 records a call): each amount is formatted once, for the fingerprint and for storage.
    const costs = new Array<string>(records.length);
    const grants = new Array<string>(records.length);
    for (let i = 0; i < records.length; i++) {
      costs[i] = records[i].cost.toFixed(6);
      grants[i] = records[i].grantCredit?.toFixed(6) ?? ZERO_6;
    }
    const fingerprint = this.fingerprint(records, costs, grants, await this.services.resolver());
    const asWritten = () => this.fingerprint(records, costs, grants, null);
    // Idempotency comes before validation: a replay returns the original result.
    const stored = await this.ds.manager.findOne(ConsumptionBatchEntity, { where: { batchId } });
    if (stored) return this.replayResult(stored, fingerprint, asWritten);

    const refused = batchError(batchId, records.length);
    if (refused) return { accepted: 0, duplicate: false, userErrors: [refused] };
    return this.ds.transaction((manager) => this.storeBatch(manager, batchId, records, { costs, grants, fingerprint, asWritten }));
  }

  /** The batch in one transaction: every record checked, the batch id claimed, the records stored. */
  private async storeBatch(
    manager: EntityManager,
    batchId: string,
    records: ConsumptionRecordInput[],
    formatted: { costs: string[]; grants: string[]; fingerprint: string; asWritten: () => string },
  ): Promise<RecordConsumptionResult> {
    const { costs, grants, fingerprint, asWritten } = formatted;
    await lockShared(manager, LockSpace.MonthClose);
    const context = { services: await this.services.resolver(manager), today: this.clock.today(), openFrom: await openFrom(manager) };
    const { errors, serviceIds } = checkRecords(records, context);
    if (errors.length) return { accepted: 0, duplicate: false, userErrors: errors };

    // Claim the batch id (and draw the records' ids, in batch order); a racing request with the same id waits here
    // for us and then sees the stored batch.
    const claimed: { ids: string }[] = await manager.query(
      `WITH claimed AS (
         INSERT INTO consumption_batches (batch_id, fingerprint, record_count, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id)
       SELECT (SELECT string_agg(nextval('consumption_records_id_seq')::text, ',') FROM generate_series(1, $3)) AS ids FROM claimed`,
      [batchId, fingerprint, records.length, this.clock.now()],
    );
    if (claimed.length === 0) {
      const winner = await manager.findOneOrFail(ConsumptionBatchEntity, { where: { batchId } });
      return this.replayResult(winner, fingerprint, asWritten);
    }
    await copyRecords(transactionClient(manager), records, { ids: claimed[0].ids.split(','), serviceIds, costs, grants }, batchId);
    return { accepted: records.length, duplicate: false, userErrors: [] };
  }
}

const RECORDS_PATH = ['input', 'records'];

/** Every record's field checks (all problems of the batch together) and the service id each record resolves to. */
function checkRecords(records: ConsumptionRecordInput[], context: Parameters<typeof checkRecordFields>[2]) {
  const errors: UserErrorShape[] = [];
  const serviceIds = new Array<string>(records.length);
  for (let index = 0; index < records.length; index++) {
    const checked = checkRecordFields(records[index], RECORDS_PATH, context, index);
    if (checked.errors.length) errors.push(...checked.errors);
    else serviceIds[index] = checked.serviceId!;
  }
  return { errors, serviceIds };
}

/** COPY's column order: the sort key (billing account, date) first, so rows sort as text. */
const RECORD_COLUMNS = ['billing_account_id', 'date', 'service_id', 'cloud_id', 'folder_id', 'cost', 'grant_credit', 'source', 'batch_id', 'id'];

/**
 * A validated batch into consumption_records by one COPY. Ids are the batch's own, drawn in batch order; rows go in
 * (billing account, date) order: index maintenance dominates the cost of the insert, and walking the indexes in key
 * order costs PostgreSQL about a sixth less than arrival order (and COPY less than an INSERT of unnested arrays).
 */
async function copyRecords(
  client: PoolClient,
  records: ConsumptionRecordInput[],
  stored: { ids: string[]; serviceIds: string[]; costs: string[]; grants: string[] },
  batchId: string,
): Promise<void> {
  const { ids, serviceIds, costs, grants } = stored;
  const source = `\tAPI\t${copyText(batchId)}\t`;
  const rows = new Array<string>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    rows[i] =
      copyText(r.billingAccountId) +
      '\t' +
      r.date +
      '\t' +
      copyText(serviceIds[i]) +
      '\t' +
      copyText(r.cloudId) +
      '\t' +
      copyText(r.folderId) +
      '\t' +
      costs[i] +
      '\t' +
      grants[i] +
      source +
      ids[i] +
      '\n';
  }
  await copyInto(client, 'consumption_records', RECORD_COLUMNS, copyChunks(rows.sort()));
}
