// The webhook lists (SPEC §19): a partner's endpoints, and an endpoint's deliveries newest first.
import type { DataSource } from 'typeorm';
import { paginate, pageWindow, toConnection, type Connection, type PageArgsInput } from '../../shared/pagination';
import { isUuid } from '../../shared/validation';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

/** Endpoints, oldest first; `partnerId` null = every endpoint (the caller checked the viewer may see them). */
export function endpointPage(ds: DataSource, partnerId: string | null, args: PageArgsInput): Promise<Connection<WebhookEndpointEntity>> {
  const qb = ds.manager.createQueryBuilder(WebhookEndpointEntity, 'w');
  if (partnerId) qb.andWhere(isUuid(partnerId) ? 'w.partnerId = :partnerId' : 'false', { partnerId });
  return paginate(qb, args);
}

/**
 * Newest first: keyset over (attempted_at, id) in descending order — forwards reads keys below `after`, backwards
 * keys above `before` in ascending order (toConnection puts them back in list order).
 */
export async function deliveryPage(ds: DataSource, endpointId: string, args: PageArgsInput): Promise<Connection<WebhookDeliveryEntity>> {
  const window = pageWindow(args, ['timestamptz', 'uuid']);
  const qb = ds.manager.createQueryBuilder(WebhookDeliveryEntity, 'd').where('d.endpointId = :endpointId', { endpointId });
  const key = '(d.attemptedAt, d.id)';
  const bound = (name: string) => `(CAST(:${name}At AS timestamptz), CAST(:${name}Id AS uuid))`;
  const params = (name: string, parts: string[] | null) => (parts ? { [`${name}At`]: parts[0], [`${name}Id`]: parts[1] } : {});
  const start = window.backward ? window.before : window.after;
  const counts = qb.clone().select('COUNT(*)', 'total');
  counts.addSelect(start ? `COUNT(*) FILTER (WHERE ${key} ${window.backward ? '<=' : '>='} ${bound('start')})` : '0', 'beyond');
  counts.setParameters(params('start', start));
  const page = qb.clone();
  if (window.after) page.andWhere(`${key} < ${bound('after')}`, params('after', window.after));
  if (window.before) page.andWhere(`${key} > ${bound('before')}`, params('before', window.before));
  const direction = window.backward ? 'ASC' : 'DESC';
  page
    .orderBy('d.attemptedAt', direction)
    .addOrderBy('d.id', direction)
    .take(window.size + 1);
  const [aggregate, rows] = await Promise.all([counts.getRawOne<{ total: string; beyond: string }>(), page.getMany()]);
  return toConnection(rows, window, (row) => [row.attemptedAt.toISOString(), row.id], {
    totalCount: Number(aggregate?.total ?? 0),
    beyondCursor: Number(aggregate?.beyond ?? 0) > 0,
  });
}
