// Turns a service call into a mutation payload: DomainErrors become userErrors (SPEC §9); anything else propagates
// (and is masked by formatError). ForbiddenAction is an authorization failure, so it becomes a top-level FORBIDDEN.
import { DomainError, ForbiddenAction, type UserErrorShape } from '../shared/domain-error';
import { forbidden } from '../shared/errors';

export async function toPayload<R, P extends object>(run: () => Promise<R>, shape: (result: R) => P): Promise<P & { userErrors: UserErrorShape[] }> {
  try {
    const result = await run();
    return { ...shape(result), userErrors: [] };
  } catch (error) {
    if (error instanceof ForbiddenAction) throw forbidden(error.message);
    if (error instanceof DomainError) return { userErrors: error.toUserErrors() } as P & { userErrors: UserErrorShape[] };
    throw error;
  }
}
