// Per-request DataLoaders of the partners module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { byId, groupBy } from '../../shared/dataloader';
import type { SqlReader } from '../../shared/sql';
import { PartnerSpecializationEntity } from './partner-specialization.entity';
import type { PartnerEntity } from './partner.entity';
import { partnersByIds } from './partners.reads';

export function partnersLoaders(ds: DataSource, sql: SqlReader) {
  return {
    partner: new DataLoader<string, PartnerEntity | null>(async (ids) => byId(await partnersByIds(sql, ids), ids)),
    specializations: new DataLoader<string, PartnerSpecializationEntity[]>(async (ids) =>
      groupBy(
        await ds.manager.find(PartnerSpecializationEntity, { where: { partnerId: In([...ids]) }, order: { specialization: 'ASC', activeFrom: 'ASC' } }),
        ids,
        (r) => r.partnerId,
      ),
    ),
  };
}
