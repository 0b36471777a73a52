// type-graphql calls a resolver method through a handler that, per call, builds a resolver-data object, finds the
// resolver instance in its container (a linear search), runs the (empty) middleware chain, sorts the parameter
// metadata, converts the root into a new instance of its declared class, and awaits an (async) validation of each
// argument even with validation off. For a resolver whose parameters are only @Root, @Ctx, @Info, and @Arg / @Args
// of scalars and enums, with no middleware or roles, that work changes nothing: such a field or query calls the
// same method on the same instance with the same values directly (a dashboard's 20 Customer.activeDeal calls,
// partner(id), its customers and deals pages). An @Args object is built as type-graphql builds it (an instance of
// the args class holding the given fields). Kept on type-graphql's handler: input-type or validated arguments,
// custom parameter decorators, a root whose class has methods or defaults (its conversion would change the object),
// middlewares or roles.
import { GraphQLScalarType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage, type ContainerType } from 'type-graphql';

type Resolver = GraphQLFieldResolver<unknown, unknown>;
type Reader = (root: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

interface ParamMeta {
  kind: string;
  index: number;
  name?: string;
  propertyName?: string;
  getType?: () => unknown;
  validateSettings?: unknown;
  validateFn?: unknown;
}

interface HandlerMeta {
  kind?: string;
  target: new () => object;
  methodName: string;
  schemaName: string;
  params?: ParamMeta[];
  middlewares?: unknown[];
  roles?: unknown[];
  getObjectType?: () => object;
}

/** The resolver instances, one per class (type-graphql's default container, shared with the direct calls). */
const instances = new Map<new () => object, object>();

export const resolverContainer: ContainerType = {
  get(someClass: new () => object) {
    let instance = instances.get(someClass);
    if (!instance) instances.set(someClass, (instance = new someClass()));
    return instance;
  },
};

/** The source text of type-graphql's handler (createHandlerResolver) finds the instance in its container. */
const HANDLER = /getInstance\(resolverMetadata\.target/;

/** convertToType(Target, root) makes a copy of the root with Target's prototype: the same object when that adds nothing. */
function conversionIsIdentity(type: unknown): boolean {
  if (typeof type !== 'function' || type === Object) return true;
  if ([String, Number, Boolean, Date, Array, Promise].includes(type as never)) return false;
  for (let proto = (type as { prototype: object }).prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object) {
    if (Object.getOwnPropertyNames(proto).some((name) => name !== 'constructor')) return false;
  }
  const blank = new (type as new () => Record<string, unknown>)();
  return Object.values(blank).every((value) => value === undefined);
}

/** An argument type type-graphql hands over as it is (a scalar or an enum: no input class to build, nothing to validate). */
function passedAsIs(type: unknown): boolean {
  return type instanceof GraphQLScalarType || type === String || type === Number || type === Boolean || (typeof type === 'object' && type !== null);
}

interface Storage {
  objectTypes: { name: string; target: object }[];
  argumentTypes: { target: object; fields?: { name: string; getType: () => unknown }[] }[];
  fieldResolvers: HandlerMeta[];
  queries: HandlerMeta[];
}

/** type-graphql's convertArgsToInstance for an args class of scalars and enums (null for any other). */
function argsReader(storage: Storage, param: ParamMeta): Reader | null {
  const ArgsClass = param.getType?.() as (new () => Record<string, unknown>) | undefined;
  if (typeof ArgsClass !== 'function' || param.validateFn !== undefined || param.validateSettings !== undefined) return null;
  const names: string[] = [];
  for (let cls: unknown = ArgsClass; typeof cls === 'function' && cls.prototype !== undefined; cls = Object.getPrototypeOf(cls)) {
    for (const field of storage.argumentTypes.find((t) => t.target === cls)?.fields ?? []) {
      if (!passedAsIs(field.getType())) return null;
      names.push(field.name);
    }
  }
  return (_root, args) => {
    const fields: Record<string, unknown> = {};
    for (const name of names) if (args[name] !== undefined) fields[name] = args[name];
    const instance = new ArgsClass();
    for (const key of Object.keys(instance)) if (instance[key] === undefined && !(key in fields)) delete instance[key];
    return Object.assign(instance, fields);
  };
}

function reader(storage: Storage, param: ParamMeta): Reader | null {
  if (param.kind === 'args') return argsReader(storage, param);
  if (param.kind === 'root') return !param.propertyName && conversionIsIdentity(param.getType?.()) ? (root) => root : null;
  if (param.kind === 'context') return param.propertyName ? null : (_root, _args, context) => context;
  if (param.kind === 'info') return (_root, _args, _context, info) => info;
  if (param.kind === 'arg' && param.name && param.validateFn === undefined && param.validateSettings === undefined && passedAsIs(param.getType?.())) {
    const name = param.name;
    return (_root, args) => args[name];
  }
  return null;
}

/** The method called directly with its parameters, or null when type-graphql's handler must stay. */
function direct(storage: Storage, meta: HandlerMeta): Resolver | null {
  if (meta.middlewares?.length || meta.roles) return null;
  const params = [...(meta.params ?? [])].sort((a, b) => a.index - b.index);
  if (params.some((param, i) => param.index !== i)) return null;
  const readers = params.map((param) => reader(storage, param));
  if (readers.some((r) => r === null)) return null;
  const instance = resolverContainer.get(meta.target, undefined as never) as Record<string, (...values: unknown[]) => unknown>;
  const method = instance[meta.methodName];
  if (typeof method !== 'function') return null;
  const [a, b, c] = readers as Reader[];
  if (readers.length === 1) return (root, args, context, info) => method.call(instance, a(root, args, context, info));
  if (readers.length === 2) return (root, args, context, info) => method.call(instance, a(root, args, context, info), b(root, args, context, info));
  if (readers.length === 3) {
    return (root, args, context, info) => method.call(instance, a(root, args, context, info), b(root, args, context, info), c(root, args, context, info));
  }
  return (root, args, context, info) =>
    method.apply(
      instance,
      (readers as Reader[]).map((r) => r(root, args, context, info)),
    );
}

/** Replaces type-graphql's handler by a direct call on every query and field resolver that allows it (see above). */
export function directResolvers(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage() as unknown as Storage;
  const handlers: [typeName: string | undefined, meta: HandlerMeta][] = [
    ...storage.queries.map((meta): [string | undefined, HandlerMeta] => [schema.getQueryType()?.name, meta]),
    ...storage.fieldResolvers
      .filter((meta) => meta.kind === 'external')
      .map((meta): [string | undefined, HandlerMeta] => [storage.objectTypes.find((t) => t.target === meta.getObjectType?.())?.name, meta]),
  ];
  for (const [typeName, meta] of handlers) {
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[meta.schemaName] : undefined;
    if (!field?.resolve || !HANDLER.test(field.resolve.toString())) continue;
    const resolve = direct(storage, meta);
    if (resolve) field.resolve = resolve;
  }
  return schema;
}
