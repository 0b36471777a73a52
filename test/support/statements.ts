// Counts the SQL statements the App sends to PostgreSQL (TypeORM and plain pg alike: every pg Client.query),
// leaving out the event bus's own LISTEN connection.
import { Client } from 'pg';

export async function countStatements(run: () => Promise<unknown>): Promise<{ count: number; texts: string[] }> {
  const original = Client.prototype.query;
  const texts: string[] = [];
  Client.prototype.query = function (this: Client & { connectionParameters?: { application_name?: string } }, ...args: unknown[]) {
    if (!this.connectionParameters?.application_name?.endsWith(':event-bus')) {
      const config = args[0] as string | { text?: string };
      texts.push(typeof config === 'string' ? config : (config?.text ?? ''));
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  try {
    await run();
  } finally {
    Client.prototype.query = original;
  }
  return { count: texts.length, texts };
}
