import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { AuditCommitSubscriber } from '../modules/audit/audit-commit.subscriber';
import { entities } from './entities';

export function createDataSource(url: string, options: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    // A mutation's audit entry is written by the transaction that carries its change, right before COMMIT.
    subscribers: [AuditCommitSubscriber],
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    logging: false,
    poolSize: options.poolSize ?? 20,
    applicationName: options.applicationName ?? 'partner-program-api',
    // bigint (event sequences) stays a string; numeric stays a string until the column transformer makes it a Decimal.
    parseInt8: false,
  } as ConstructorParameters<typeof DataSource>[0]);
}
