// Recognises PostgreSQL errors that carry a business meaning (a partial unique index that enforces a rule), so a
// service can answer them as a userError instead of letting them surface as INTERNAL_SERVER_ERROR.
import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';

/** True when `error` (TypeORM's QueryFailedError or the pg error itself) is a unique violation of the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = (error instanceof QueryFailedError ? error.driverError : error) as { code?: string; constraint?: string } | null | undefined;
  return pgError?.code === UNIQUE_VIOLATION && pgError.constraint === constraint;
}
