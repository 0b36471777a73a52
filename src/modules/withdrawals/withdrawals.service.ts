// Withdrawals of rebate balance (SPEC §12): the one place money leaves the program. Every request runs in one
// transaction that holds the idempotency-key lock, a share lock of the partner row and the partner's balance lock, so
// concurrent requests can neither overdraw the balance nor move money twice for one key. Locks are taken in the
// order key → partner row → month-close lock (BONUS) → balance (→ the event sequence at commit, eventTransaction).
import type { DataSource, EntityManager } from 'typeorm';
import { monthOf } from '../../shared/dates';
import { DomainError } from '../../shared/domain-error';
import { formatMoney, type Dec } from '../../shared/money';
import { FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { appendEvent, eventTransaction, type NewEvent } from '../../event-log/event-log';
import { eventSequence, writeTransaction, type WriteTransaction } from '../../event-log/write-transaction';
import type { PartnerStatus } from '../partners/partner.entity';
import type { LedgerService } from '../rebates/ledger.service';
import {
  checkBankDetailsOnFile,
  checkDestinationAllowed,
  checkSettlementDetails,
  checkSufficientBalance,
  checkWithdrawalAmount,
  initialWithdrawalStatus,
  sameWithdrawalRequest,
  settle,
  type WithdrawalDestination,
  type WithdrawalSettlement,
  type WithdrawalStatus,
} from './domain/withdrawal-rules';
import { WithdrawalEntity } from './withdrawal.entity';
import { insertWithdrawal, toWithdrawal, withdrawalByKey } from './withdrawal.columns';
import { isUniqueViolation } from '../../shared/db-errors';
import { lockSharedStatement, lockStatement, LockSpace } from '../../shared/locks';
import { paginate, type Connection, type PageArgsInput } from '../../shared/pagination';

const IDEMPOTENCY_KEY_MAX = 200;

export interface WithdrawRequest {
  partnerId: string;
  amount: Dec;
  destination: WithdrawalDestination;
  idempotencyKey: string;
}

export interface SettleRequest {
  withdrawalId: string;
  decision: WithdrawalSettlement;
  paymentReference?: string | null;
  reason?: string | null;
}

/** Runs a pure rule that throws a field DomainError and collects the error instead. */
function collect(checks: FieldChecks, rule: () => void): void {
  try {
    rule();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    checks.add(error);
  }
}

export class WithdrawalsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  /**
   * withdrawRebate. Order of checks (SPEC §9): idempotency (a replay returns the original withdrawal), field
   * validation, then partner status, bank details and balance. A refused request stores nothing, so its key stays free.
   */
  async withdraw(request: WithdrawRequest): Promise<WithdrawalEntity> {
    try {
      return await this.withdrawOnce(request);
    } catch (error) {
      // The key lock makes this unreachable in practice; should two inserts still race, the loser is a replay.
      if (isUniqueViolation(error, 'withdrawals_idempotency_key')) return this.withdrawOnce(request);
      throw error;
    }
  }

  /**
   * Two round trips (write-transaction.ts): BEGIN with the locks in their order (key → partner row, shared →
   * month-close lock for BONUS → balance) and the reads each protects, then the withdrawal, its ledger entry, their
   * events, the audit entry and COMMIT. The rules are applied between them, in SPEC order, on what was read.
   */
  private withdrawOnce(request: WithdrawRequest): Promise<WithdrawalEntity> {
    const { partnerId, amount, destination, idempotencyKey } = request;
    return writeTransaction(this.ds, async (tx) => {
      const read = isUuid(partnerId) ? await this.readForWithdrawal(tx, request) : { original: null, partner: null, balance: null };
      if (read.original) {
        if (!sameWithdrawalRequest(read.original, request)) {
          throw new DomainError(
            'IDEMPOTENCY_KEY_REUSED',
            `This idempotency key was used for a withdrawal of ${formatMoney(read.original.amount)} to ${read.original.destination}`,
            ['input', 'idempotencyKey'],
          );
        }
        return read.original;
      }

      const checks = new FieldChecks();
      collect(checks, () => checkWithdrawalAmount(amount));
      if (idempotencyKey.trim() === '' || idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
        checks.fail(['input', 'idempotencyKey'], `The idempotency key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters and not blank`);
      }
      checks.done();

      const { partner, balance } = read;
      if (!partner || !balance) throw new DomainError('NOT_FOUND', `No partner with id ${partnerId}`, ['input', 'partnerId']);
      // Business rules in the order SPEC §12 gives them: the balance, then the destination's own conditions.
      checkSufficientBalance(amount, balance);
      checkDestinationAllowed(partner.status, destination);
      const bank =
        partner.bank_bic && partner.bank_account_number
          ? { bic: partner.bank_bic, accountNumber: partner.bank_account_number, bankName: partner.bank_name }
          : null;
      if (destination === 'BANK_ACCOUNT') checkBankDetailsOnFile(bank);

      const now = this.clock.now();
      const withdrawal = Object.assign(new WithdrawalEntity(), {
        id: crypto.randomUUID(),
        partnerId,
        amount,
        destination,
        status: initialWithdrawalStatus(destination),
        statusReason: null,
        month: destination === 'BONUS' ? monthOf(this.clock.today()) : null,
        bankBic: destination === 'BANK_ACCOUNT' ? bank!.bic : null,
        bankAccountNumber: destination === 'BANK_ACCOUNT' ? bank!.accountNumber : null,
        bankName: destination === 'BANK_ACCOUNT' ? bank!.bankName : null,
        paymentReference: null,
        idempotencyKey,
        createdAt: now,
      });
      const description =
        destination === 'BONUS'
          ? `Withdrawal to the ${withdrawal.month} invoice`
          : `Payout to bank account ${withdrawal.bankAccountNumber} (BIC ${withdrawal.bankBic})`;
      const entry = { partnerId, kind: 'WITHDRAWAL' as const, amount: amount.neg(), withdrawalId: withdrawal.id, description, createdAt: now };
      const entryId = crypto.randomUUID();
      // The entry carries the sequence of the second event, its LEDGER_ENTRY event (drawn at commit).
      await tx.commit(
        [insertWithdrawal(withdrawal), this.ledger.entryWrite(entry, balance.minus(amount), entryId, eventSequence(1))],
        [this.statusEvent(withdrawal, now), { partnerId, type: 'LEDGER_ENTRY', entityId: entryId, status: 'WITHDRAWAL', occurredAt: now }],
      );
      return withdrawal;
    });
  }

  /** The first round trip of a withdrawal: the key's earlier withdrawal, the partner row and its balance, under their locks. */
  private async readForWithdrawal(tx: WriteTransaction, request: WithdrawRequest) {
    const { partnerId, destination, idempotencyKey } = request;
    const rows = await tx.read([
      lockStatement(LockSpace.WithdrawalIdempotency, `${partnerId}:${idempotencyKey}`),
      withdrawalByKey(partnerId, idempotencyKey),
      // The partner row under a share lock: its status cannot change (exit) until this withdrawal commits.
      { text: 'SELECT id, status, bank_bic, bank_account_number, bank_name FROM partners WHERE id = $1::uuid FOR SHARE', values: [partnerId] },
      // A BONUS withdrawal belongs to the month it commits in: held shared against closeBillingMonth (which takes
      // this lock exclusively), the month it reads cannot be closed before the withdrawal is visible to the close.
      destination === 'BONUS' ? lockSharedStatement(LockSpace.MonthClose) : { text: 'SELECT NULL' },
      ...this.ledger.balanceReads(partnerId),
    ]);
    const [, originals, partners, , , balances] = rows;
    const partner = partners[0] as
      { id: string; status: PartnerStatus; bank_bic: string | null; bank_account_number: string | null; bank_name: string | null } | undefined;
    return {
      original: originals[0] ? toWithdrawal(originals[0]) : null,
      partner: partner ?? null,
      balance: partner ? this.ledger.balanceOfRows(balances as { balance_after: string }[]) : null,
    };
  }

  /** settleWithdrawal (ADMIN): PENDING → PAID with a payment reference, or REJECTED with the money returned. */
  async settle(request: SettleRequest): Promise<WithdrawalEntity> {
    const checks = new FieldChecks();
    collect(checks, () => checkSettlementDetails(request.decision, request));
    const paymentReference = checks.optionalText(['input', 'paymentReference'], request.paymentReference, { max: 200, label: 'Payment reference' });
    const reason = checks.optionalText(['input', 'reason'], request.reason, { max: 4000, label: 'Reason' });
    checks.done();

    return eventTransaction(this.ds, async (manager) => {
      const withdrawal = isUuid(request.withdrawalId)
        ? await manager.findOne(WithdrawalEntity, { where: { id: request.withdrawalId }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!withdrawal) throw new DomainError('NOT_FOUND', `No withdrawal with id ${request.withdrawalId}`, ['input', 'withdrawalId']);
      withdrawal.status = settle(withdrawal.status, request.decision);
      // Row, then balance lock: every ledger writer takes its balance locks after its rows (no deadlock).
      await this.ledger.lockBalances(manager, [withdrawal.partnerId]);
      if (request.decision === 'PAID') withdrawal.paymentReference = paymentReference;
      else withdrawal.statusReason = reason;
      await manager.save(withdrawal);
      const now = this.clock.now();
      await this.recordStatus(manager, withdrawal, now);
      if (withdrawal.status === 'REJECTED') {
        await this.ledger.append(manager, [
          {
            partnerId: withdrawal.partnerId,
            kind: 'WITHDRAWAL_REVERSAL',
            amount: withdrawal.amount,
            withdrawalId: withdrawal.id,
            description: `Rejected payout returned: ${reason}`,
            createdAt: now,
          },
        ]);
      }
      return withdrawal;
    });
  }

  private statusEvent(withdrawal: WithdrawalEntity, occurredAt: Date): NewEvent {
    return { partnerId: withdrawal.partnerId, type: 'WITHDRAWAL_STATUS_CHANGED', entityId: withdrawal.id, status: withdrawal.status, occurredAt };
  }

  private async recordStatus(manager: EntityManager, withdrawal: WithdrawalEntity, occurredAt: Date): Promise<void> {
    await appendEvent(manager, this.statusEvent(withdrawal, occurredAt));
  }

  /** A page of one partner's withdrawals (every partner's with null), optionally of one status. */
  list(partnerId: string | null, status: WithdrawalStatus | null | undefined, page: PageArgsInput): Promise<Connection<WithdrawalEntity>> {
    const qb = this.ds.manager.createQueryBuilder(WithdrawalEntity, 'w');
    if (partnerId) qb.andWhere(isUuid(partnerId) ? 'w.partnerId = :partnerId' : 'false', { partnerId });
    if (status) qb.andWhere('w.status = :status', { status });
    return paginate(qb, page);
  }
}
