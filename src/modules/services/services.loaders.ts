// Per-request DataLoaders of the services module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { byId } from '../../shared/dataloader';
import { ServiceEntity } from './service.entity';

export function servicesLoaders(ds: DataSource) {
  return {
    /** Service by id (InvoiceLine.service, Query.node). */
    service: new DataLoader<string, ServiceEntity | null>(async (ids) => byId(await ds.manager.findBy(ServiceEntity, { id: In([...ids]) }), ids)),
  };
}
