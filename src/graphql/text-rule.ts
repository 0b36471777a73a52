// The central text rule (SPEC §18): every String and ID argument or input field refuses NUL, the other C0 control
// characters and DEL; tab and line breaks are allowed only in descriptions and reasons. Applied once to the built
// schema — each field that takes arguments checks them before its resolver (or subscribe) runs — so both transports
// and every resolver get it. A mutation whose payload has userErrors answers VALIDATION_FAILED userErrors with each
// field's path; anything else (queries, subscriptions) a top-level VALIDATION_FAILED error naming the path.
import {
  GraphQLError,
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { textProblem } from '../shared/validation';

const MULTILINE_FIELD = /^(description|reason)$|(Description|Reason)$/;
const MAX_REPORTED = 100;

export interface TextViolation {
  field: string[];
  message: string;
}

/** Where a value sits in the arguments: a node per list and input object, made a field path only for a violation. */
interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
}

function pathArray(parent: Path | undefined, key: string | number): string[] {
  const keys: string[] = [String(key)];
  for (let p = parent; p; p = p.prev) keys.push(String(p.key));
  return keys.reverse();
}

/** Checks `value`, found under `key` of `parent` (a path node is made only for a list or an input object). */
function check(type: GraphQLInputType, value: unknown, parent: Path | undefined, key: string | number, multiline: boolean, out: TextViolation[]): void {
  if (value === null || value === undefined || out.length >= MAX_REPORTED) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const here = { prev: parent, key };
    if (Array.isArray(value)) value.forEach((item, index) => check(inner.ofType, item, here, index, multiline, out));
    return;
  }
  if (isInputObjectType(inner)) {
    const here = { prev: parent, key };
    const fields = inner.getFields();
    for (const name of Object.keys(value as object)) {
      const field = fields[name];
      if (field) check(field.type, (value as Record<string, unknown>)[name], here, name, MULTILINE_FIELD.test(name), out);
    }
    return;
  }
  if (isScalarType(inner) && (inner.name === 'String' || inner.name === 'ID') && typeof value === 'string') {
    const problem = textProblem(value, multiline);
    if (problem) {
      const field = pathArray(parent, key);
      out.push({ field, message: `${field.join('.')} ${problem}` });
    }
  }
}

export function textViolations(args: readonly GraphQLArgument[], values: Record<string, unknown>): TextViolation[] {
  const out: TextViolation[] = [];
  for (const arg of args) check(arg.type, values[arg.name], undefined, arg.name, MULTILINE_FIELD.test(arg.name), out);
  return out;
}

/** For a mutation whose payload has userErrors: the payload of a refusal (non-null counts 0, flags false). */
function refusalPayload(field: GraphQLField<unknown, unknown>): Record<string, unknown> | null {
  const type = getNamedType(field.type);
  if (!isObjectType(type) || !('userErrors' in type.getFields())) return null;
  const payload: Record<string, unknown> = {};
  for (const f of Object.values(type.getFields())) {
    if (!isNonNullType(f.type) || f.name === 'userErrors') continue;
    const named = getNamedType(f.type).name;
    if (named === 'Int' || named === 'Float') payload[f.name] = 0;
    else if (named === 'Boolean') payload[f.name] = false;
  }
  return payload;
}

function guard(
  field: GraphQLField<unknown, unknown>,
  payload: Record<string, unknown> | null,
  next: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const violations = textViolations(field.args, args);
    if (violations.length === 0) return next(source, args, context, info);
    if (payload) return { ...payload, userErrors: violations.map((v) => ({ field: v.field, code: 'VALIDATION_FAILED', message: v.message })) };
    const [first] = violations;
    throw new GraphQLError(first.message, { extensions: { code: 'VALIDATION_FAILED', field: first.field } });
  };
}

/** Wraps every field that takes arguments (mutates the schema; call once after building it). */
export function applyTextRule(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      if (type === subscription && field.subscribe) field.subscribe = guard(field, null, field.subscribe);
      else field.resolve = guard(field, type === mutation ? refusalPayload(field) : null, field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}
