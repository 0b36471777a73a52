// Per-request DataLoaders of the presales module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { byId } from '../../shared/dataloader';
import { isUuid } from '../../shared/validation';
import { PresaleRequestEntity } from './presale-request.entity';

export function presalesLoaders(ds: DataSource) {
  return {
    presaleRequest: new DataLoader<string, PresaleRequestEntity | null>(async (ids) =>
      byId(await ds.manager.findBy(PresaleRequestEntity, { id: In(ids.filter(isUuid)) }), ids),
    ),
  };
}
