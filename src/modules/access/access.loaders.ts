// Per-request DataLoaders of the access module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { groupBy } from '../../shared/dataloader';
import { ApiTokenEntity } from './api-token.entity';

export function accessLoaders(ds: DataSource) {
  return {
    apiTokens: new DataLoader<string, ApiTokenEntity[]>(async (ids) =>
      groupBy(await ds.manager.find(ApiTokenEntity, { where: { partnerId: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } }), ids, (r) => r.partnerId!),
    ),
  };
}
