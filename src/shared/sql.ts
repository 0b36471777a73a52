// Plain-pg reads for the hot paths (partner dashboards): fixed-shape statements returning plain rows, no TypeORM
// hydration. Each statement has a name, so PostgreSQL parses and plans it once per connection (a prepared
// statement); `PG_NAMED_STATEMENTS=0` sends them unnamed instead (e.g. behind a pooler without prepared-statement
// support). A statement's text must never depend on its parameters: variants are separate statements.
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

export interface Statement {
  /** Unique per text; PostgreSQL keeps one prepared statement of this name per connection. */
  readonly name: string;
  readonly text: string;
}

const names = new Map<string, string>();

/** Declares a statement; declaring one name with two texts is a programming error caught at start-up. */
export function statement(name: string, text: string): Statement {
  const known = names.get(name);
  if (known !== undefined && known !== text) throw new Error(`SQL statement ${name} declared twice with different texts`);
  names.set(name, text);
  return { name, text };
}

export class SqlReader {
  constructor(
    private readonly pool: Pool,
    private readonly named: boolean,
  ) {}

  /** The pool of a TypeORM DataSource (postgres driver), so reads share its connections. */
  static of(ds: DataSource, named: boolean): SqlReader {
    const pool = (ds.driver as unknown as { master: Pool }).master;
    return new SqlReader(pool, named);
  }

  async rows<T>(statement: Statement, values: unknown[]): Promise<T[]> {
    const result = await this.pool.query(this.named ? { name: statement.name, text: statement.text, values } : { text: statement.text, values });
    return result.rows as T[];
  }
}
