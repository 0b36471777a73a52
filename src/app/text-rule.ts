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

/** Control characters refused everywhere (C0 except tab, LF, CR; and DEL). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** …and tab and line breaks too, outside descriptions and reasons. */
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f]/;
const MULTILINE_FIELD = /^(description|reason)$|(Description|Reason)$/;
const MAX_REPORTED = 100;

export interface TextViolation {
  field: string[];
  message: string;
}

/** The text rule for one value: null when it is acceptable. */
export function textProblem(value: string, multiline: boolean): string | null {
  if (!(multiline ? CONTROL : CONTROL_OR_BREAK).test(value)) return null;
  return multiline
    ? 'must not contain NUL, control characters or DEL'
    : 'must not contain NUL, control characters, DEL, tabs or line breaks (allowed in descriptions and reasons only)';
}

function check(type: GraphQLInputType, value: unknown, path: string[], multiline: boolean, out: TextViolation[]): void {
  if (value === null || value === undefined || out.length >= MAX_REPORTED) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (Array.isArray(value)) value.forEach((item, index) => check(inner.ofType, item, [...path, String(index)], multiline, out));
    return;
  }
  if (isInputObjectType(inner)) {
    const fields = inner.getFields();
    for (const name of Object.keys(value as object)) {
      const field = fields[name];
      if (field) check(field.type, (value as Record<string, unknown>)[name], [...path, name], MULTILINE_FIELD.test(name), out);
    }
    return;
  }
  if (isScalarType(inner) && (inner.name === 'String' || inner.name === 'ID') && typeof value === 'string') {
    const problem = textProblem(value, multiline);
    if (problem) out.push({ field: path, message: `${path.join('.')} ${problem}` });
  }
}

export function textViolations(args: readonly GraphQLArgument[], values: Record<string, unknown>): TextViolation[] {
  const out: TextViolation[] = [];
  for (const arg of args) check(arg.type, values[arg.name], [arg.name], MULTILINE_FIELD.test(arg.name), out);
  return out;
}

function hasUserErrors(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNamedType(field.type);
  return isObjectType(type) && 'userErrors' in type.getFields();
}

function guard(field: GraphQLField<unknown, unknown>, asPayload: boolean, next: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const violations = textViolations(field.args, args);
    if (violations.length === 0) return next(source, args, context, info);
    if (asPayload) return { userErrors: violations.map((v) => ({ field: v.field, code: 'VALIDATION_FAILED', message: v.message })) };
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
      if (type === subscription && field.subscribe) field.subscribe = guard(field, false, field.subscribe);
      else field.resolve = guard(field, type === mutation && hasUserErrors(field), field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}
