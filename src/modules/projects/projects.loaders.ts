// Per-request DataLoaders of the projects module.
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { byId } from '../../shared/dataloader';
import { isUuid } from '../../shared/validation';
import { ProjectEntity } from './project.entity';

export function projectsLoaders(ds: DataSource) {
  return {
    project: new DataLoader<string, ProjectEntity | null>(async (ids) => byId(await ds.manager.findBy(ProjectEntity, { id: In(ids.filter(isUuid)) }), ids)),
  };
}
