// Writes a mutation call's audit entry inside the transaction that carries its change, right before COMMIT: the
// one place every service's transaction passes through, whether it came from eventTransaction or ds.transaction.
import { EventSubscriber, type EntitySubscriberInterface, type InsertEvent, type TransactionCommitEvent } from 'typeorm';
import { currentAudit } from '../../shared/acting';
import { AuditScope } from './audit-scope';

@EventSubscriber()
export class AuditCommitSubscriber implements EntitySubscriberInterface {
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const audit = currentAudit();
    if (!(audit instanceof AuditScope)) return;
    // A savepoint being released is not a commit: the outermost transaction writes the entry.
    if ((event.queryRunner as unknown as { transactionDepth: number }).transactionDepth > 1) return;
    await audit.writeAtCommit(event.queryRunner);
  }

  afterInsert(event: InsertEvent<{ id?: unknown }>): void {
    const audit = currentAudit();
    if (audit instanceof AuditScope && event.entity && event.entity.id !== undefined) audit.noteInserted(event.entity.id);
  }
}
