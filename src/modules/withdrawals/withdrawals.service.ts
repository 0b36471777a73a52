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
import { appendEvent, eventTransaction } from '../../event-log/event-log';
import { PartnerEntity } from '../partners/partner.entity';
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
import { isUniqueViolation } from '../../shared/db-errors';
import { lock, lockShared, LockSpace } from '../../shared/locks';
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

  private withdrawOnce(request: WithdrawRequest): Promise<WithdrawalEntity> {
    const { partnerId, amount, destination, idempotencyKey } = request;
    return eventTransaction(this.ds, async (manager) => {
      await lock(manager, LockSpace.WithdrawalIdempotency, `${partnerId}:${idempotencyKey}`);
      const original = isUuid(partnerId) ? await manager.findOne(WithdrawalEntity, { where: { partnerId, idempotencyKey } }) : null;
      if (original) {
        if (!sameWithdrawalRequest(original, request)) {
          throw new DomainError(
            'IDEMPOTENCY_KEY_REUSED',
            `This idempotency key was used for a withdrawal of ${formatMoney(original.amount)} to ${original.destination}`,
            ['input', 'idempotencyKey'],
          );
        }
        return original;
      }

      const checks = new FieldChecks();
      collect(checks, () => checkWithdrawalAmount(amount));
      if (idempotencyKey.trim() === '' || idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
        checks.fail(['input', 'idempotencyKey'], `The idempotency key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters and not blank`);
      }
      checks.done();

      const partner = await this.lockPartnerShared(manager, partnerId);
      // A BONUS withdrawal belongs to the month it commits in: held shared against closeBillingMonth (which takes
      // this lock exclusively), the month read below cannot be closed before the withdrawal is visible to the close.
      if (destination === 'BONUS') await lockShared(manager, LockSpace.MonthClose);
      await this.ledger.lockBalances(manager, [partner.id]);
      // Business rules in the order SPEC §12 gives them: the balance, then the destination's own conditions.
      checkSufficientBalance(amount, await this.ledger.balance(manager, partner.id));
      checkDestinationAllowed(partner.status, destination);
      const bank =
        partner.bankBic && partner.bankAccountNumber ? { bic: partner.bankBic, accountNumber: partner.bankAccountNumber, bankName: partner.bankName } : null;
      if (destination === 'BANK_ACCOUNT') checkBankDetailsOnFile(bank);

      const now = this.clock.now();
      const withdrawal = manager.create(WithdrawalEntity, {
        id: crypto.randomUUID(),
        partnerId: partner.id,
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
      await manager.insert(WithdrawalEntity, withdrawal);
      await this.recordStatus(manager, withdrawal, now);
      const description =
        destination === 'BONUS'
          ? `Withdrawal to the ${withdrawal.month} invoice`
          : `Payout to bank account ${withdrawal.bankAccountNumber} (BIC ${withdrawal.bankBic})`;
      await this.ledger.append(manager, [
        { partnerId: partner.id, kind: 'WITHDRAWAL', amount: amount.neg(), withdrawalId: withdrawal.id, description, createdAt: now },
      ]);
      return withdrawal;
    });
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

  /** The partner row under a share lock: its status cannot change (exit) until this withdrawal commits. */
  private async lockPartnerShared(manager: EntityManager, partnerId: string): Promise<PartnerEntity> {
    const partner = isUuid(partnerId) ? await manager.findOne(PartnerEntity, { where: { id: partnerId }, lock: { mode: 'pessimistic_read' } }) : null;
    if (!partner) throw new DomainError('NOT_FOUND', `No partner with id ${partnerId}`, ['input', 'partnerId']);
    return partner;
  }

  private async recordStatus(manager: EntityManager, withdrawal: WithdrawalEntity, occurredAt: Date): Promise<void> {
    await appendEvent(manager, {
      partnerId: withdrawal.partnerId,
      type: 'WITHDRAWAL_STATUS_CHANGED',
      entityId: withdrawal.id,
      status: withdrawal.status,
      occurredAt,
    });
  }

  /** A page of one partner's withdrawals (every partner's with null), optionally of one status. */
  list(partnerId: string | null, status: WithdrawalStatus | null | undefined, page: PageArgsInput): Promise<Connection<WithdrawalEntity>> {
    const qb = this.ds.manager.createQueryBuilder(WithdrawalEntity, 'w');
    if (partnerId) qb.andWhere(isUuid(partnerId) ? 'w.partnerId = :partnerId' : 'false', { partnerId });
    if (status) qb.andWhere('w.status = :status', { status });
    return paginate(qb, page);
  }
}
