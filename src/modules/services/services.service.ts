import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { FieldChecks } from '../../shared/validation';
import { ServiceEntity, type SpecializationName } from './service.entity';

export interface ServiceInput {
  id: string;
  name: string;
  bonusEligible: boolean;
  specialization?: SpecializationName | null;
  aliases?: string[] | null;
}

export class ServicesService {
  constructor(private readonly ds: DataSource) {}

  list(): Promise<ServiceEntity[]> {
    return this.ds.manager.find(ServiceEntity, { order: { id: 'ASC' } });
  }

  /** Every id and alias → service id, for feeds that name services either way. */
  async resolver(manager: EntityManager = this.ds.manager): Promise<Map<string, string>> {
    const services = await manager.find(ServiceEntity);
    const map = new Map<string, string>();
    for (const s of services) for (const alias of s.aliases) map.set(alias, s.id);
    for (const s of services) map.set(s.id, s.id); // an id always wins over another service's alias
    return map;
  }

  async upsert(input: ServiceInput): Promise<ServiceEntity> {
    const checks = new FieldChecks();
    const id = checks.text(['input', 'id'], input.id, { max: 100, label: 'Service id' });
    const name = checks.text(['input', 'name'], input.name, { max: 200, label: 'Name' });
    const aliases = checks.list(['input', 'aliases'], input.aliases ?? [], { max: 100, label: 'Aliases' });
    const trimmed = [...new Set(aliases.map((alias, i) => checks.text(['input', 'aliases', String(i)], alias, { max: 200, label: 'Alias' })))];
    checks.done();
    return this.ds.transaction(async (manager) => {
      await manager.query('LOCK TABLE services IN SHARE ROW EXCLUSIVE MODE');
      const existing = await manager.findOne(ServiceEntity, { where: { id } });
      // Omitted aliases / specialization keep what an existing service has: an update that only renames a service or
      // flips bonusEligible must not silently drop the export names the CSV import resolves (or its specialization).
      const newAliases = input.aliases == null && existing ? existing.aliases : trimmed;
      const specialization = input.specialization === undefined && existing ? existing.specialization : (input.specialization ?? null);
      const others = await manager.createQueryBuilder(ServiceEntity, 's').where('s.id <> :id', { id }).getMany();
      for (const other of others) {
        const clash = newAliases.find((alias) => other.aliases.includes(alias) || other.id === alias);
        if (clash) throw new DomainError('VALIDATION_FAILED', `Alias "${clash}" already names the service ${other.id}`, ['input', 'aliases']);
        // A new id equal to another service's alias would silently take that alias's records over (ids win).
        if (!existing && other.aliases.includes(id))
          throw new DomainError('VALIDATION_FAILED', `"${id}" is already an alias of the service ${other.id}`, ['input', 'id']);
      }
      const service = manager.create(ServiceEntity, { id, name, bonusEligible: input.bonusEligible, specialization, aliases: newAliases });
      await manager.save(service);
      return service;
    });
  }
}
