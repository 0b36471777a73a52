// Per-request DataLoaders of the partners module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { byId, groupBy } from '../../shared/dataloader';
import { isUuid } from '../../shared/validation';
import { PartnerSpecializationEntity } from './partner-specialization.entity';
import { PartnerEntity } from './partner.entity';

export function partnersLoaders(ds: DataSource) {
  return {
    partner: new DataLoader<string, PartnerEntity | null>(async (ids) => byId(await ds.manager.findBy(PartnerEntity, { id: In(ids.filter(isUuid)) }), ids)),
    specializations: new DataLoader<string, PartnerSpecializationEntity[]>(async (ids) =>
      groupBy(
        await ds.manager.find(PartnerSpecializationEntity, { where: { partnerId: In([...ids]) }, order: { specialization: 'ASC', activeFrom: 'ASC' } }),
        ids,
        (r) => r.partnerId,
      ),
    ),
  };
}
