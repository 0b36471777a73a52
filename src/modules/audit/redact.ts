// The input an audit entry keeps (SPEC §20): JSON, secrets and tokens replaced by "[redacted]", at most 16 KB.
// Long lists (a 10,000-record consumption batch) keep their first items and a count, so the hot path never
// serialises megabytes only to throw them away.

export const INPUT_LIMIT_BYTES = 16 * 1024;
const MAX_ITEMS = 20;
const MAX_STRING = 1000;
export const REDACTED = '[redacted]';

/** Field names that hold secrets or tokens (`tokenId` does not: an id is not a credential). */
const SECRET_KEY = /secret|password|passphrase|authorization|credential|api_?key|token$/i;
/** Values that are credentials whatever the field: our API tokens, webhook secrets, bearer headers. */
const SECRET_VALUE = /^(ppt_|whsec_|bearer\s)/i;

function replacer(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_KEY.test(key) && value != null) return REDACTED;
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value)) return REDACTED;
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[${value.length - MAX_STRING} more characters]` : value;
  }
  if (Array.isArray(value) && value.length > MAX_ITEMS) return [...value.slice(0, MAX_ITEMS), `[… ${value.length - MAX_ITEMS} more items]`];
  return value;
}

/** The arguments of a call as the audit log keeps them; always valid JSON of at most INPUT_LIMIT_BYTES. */
export function redactedInput(args: unknown): string {
  const json = JSON.stringify(args ?? {}, replacer) ?? '{}';
  if (Buffer.byteLength(json) <= INPUT_LIMIT_BYTES) return json;
  // Still too big (deeply nested or many long fields): keep a prefix of the text, marked as cut.
  let prefix = json.slice(0, INPUT_LIMIT_BYTES - 200);
  while (Buffer.byteLength(JSON.stringify({ truncated: true, prefix })) > INPUT_LIMIT_BYTES) prefix = prefix.slice(0, prefix.length - 1024);
  return JSON.stringify({ truncated: true, prefix });
}
