// Migrations in order. Generated with `npm run migration:generate -- <Name>`, reviewed, then listed here.
import { Foundation1795733153564 } from './1795733153564-Foundation';

export const migrations: Function[] = [Foundation1795733153564];
