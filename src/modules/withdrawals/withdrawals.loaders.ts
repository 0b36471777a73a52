// Per-request DataLoaders of the withdrawals module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { byId } from '../../shared/dataloader';
import { isUuid } from '../../shared/validation';
import { WithdrawalEntity } from './withdrawal.entity';

export function withdrawalsLoaders(ds: DataSource) {
  return {
    withdrawal: new DataLoader<string, WithdrawalEntity | null>(async (ids) =>
      byId(await ds.manager.findBy(WithdrawalEntity, { id: In(ids.filter(isUuid)) }), ids),
    ),
  };
}
