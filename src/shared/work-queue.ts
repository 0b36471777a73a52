// Root work queues (SPEC §14): ADMIN sees every partner's items, a partner token its own (see partnerScope).
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { isUuid } from './validation';

/** Narrows a list query to one partner when `partnerId` is given; an id that is no UUID matches nothing. */
export function filterByPartner<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, partnerId: string | null): SelectQueryBuilder<T> {
  if (partnerId == null) return qb;
  if (!isUuid(partnerId)) return qb.andWhere('false');
  return qb.andWhere(`${qb.alias}.partnerId = :partnerId`, { partnerId });
}
