// Query.node's lookups by UUID: which table holds each id, then the rows, one query per table that has any.
import { In, type DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { ApiTokenEntity } from '../access/api-token.entity';
import { CustomerEntity } from '../customers/customer.entity';
import { DealEntity } from '../deals/deal.entity';
import { PartnerEntity } from '../partners/partner.entity';
import { PresaleRequestEntity } from '../presales/presale-request.entity';
import { ProjectEntity } from '../projects/project.entity';
import { LedgerEntryEntity } from '../rebates/ledger-entry.entity';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity';
import { WithdrawalEntity } from '../withdrawals/withdrawal.entity';

/** GraphQL type → entity of every Node whose id is a UUID; the entity's table is where its ids are looked up. */
const UUID_NODES: Record<string, EntityTarget<ObjectLiteral>> = {
  Partner: PartnerEntity,
  Customer: CustomerEntity,
  Deal: DealEntity,
  Project: ProjectEntity,
  PresaleRequest: PresaleRequestEntity,
  Withdrawal: WithdrawalEntity,
  RebateLedgerEntry: LedgerEntryEntity,
  ApiToken: ApiTokenEntity,
  WebhookEndpoint: WebhookEndpointEntity,
  WebhookDelivery: WebhookDeliveryEntity,
};

/** An object found by id: its GraphQL type name and its entity. */
export type Found = { typeName: string; value: ObjectLiteral };

/** Finds every UUID among `ids` (lower-cased keys) in one query per table that has any, after one query that says which table. */
export async function findUuidNodes(ds: DataSource, ids: string[]): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  if (ids.length === 0) return found;
  const union = Object.entries(UUID_NODES)
    .map(([typeName, entity]) => `SELECT '${typeName}' AS type_name, id::text AS id FROM ${ds.getMetadata(entity).tableName} WHERE id = ANY($1::uuid[])`)
    .join(' UNION ALL ');
  const rows: { type_name: string; id: string }[] = await ds.query(union, [ids]);
  const byType = new Map<string, string[]>();
  for (const row of rows) byType.set(row.type_name, [...(byType.get(row.type_name) ?? []), row.id]);
  await Promise.all(
    [...byType].map(async ([typeName, typeIds]) => {
      const entities = await ds.manager.findBy(UUID_NODES[typeName], { id: In(typeIds) });
      for (const value of entities) found.set(String(value.id).toLowerCase(), { typeName, value });
    }),
  );
  return found;
}
