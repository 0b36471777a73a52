// The request limits of SPEC §18, one set for HTTP (Apollo) and graphql-ws alike, checked before anything executes:
// tokens (while parsing), then depth, aliases, directives and cost of the operation that is about to run.
//
// Our own traversal rather than graphql-armor / graphql-query-complexity: the published cost formula ("a connection
// costs `first` × (its selection + 1)") is neither library's default, armor's token limit turns every syntax error into
// an HTTP 500, and one walk over the operation (fragments expanded, each fragment measured once) yields all four
// numbers with the same code and wording on both transports.
import {
  GraphQLError,
  Kind,
  getNamedType,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  isObjectType,
  isInterfaceType,
} from 'graphql';

export const QUERY_LIMITS = {
  depth: 10,
  aliases: 30,
  directives: 50,
  tokens: 10_000,
  cost: 5_000,
  /** Nodes a connection is assumed to return when neither `first` nor `last` is given. */
  defaultPageSize: 20,
} as const;

export interface OperationMeasure {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
}

const format = (n: number) => n.toLocaleString('en-US');

/** Parses with the token limit; a document over it is a GRAPHQL_PARSE_FAILED syntax error naming the limit. */
export function parseLimited(source: string): DocumentNode {
  try {
    return parse(source, { maxTokens: QUERY_LIMITS.tokens });
  } catch (error) {
    if (error instanceof GraphQLError) throw syntaxError(error);
    throw error;
  }
}

/** Apollo's parse options: the same token limit (its syntax errors are GRAPHQL_PARSE_FAILED, HTTP 400). */
export const parseOptions = { maxTokens: QUERY_LIMITS.tokens };

const TOKEN_LIMIT_MESSAGE = /Document contains more that? (\d+) tokens/;

/** graphql-js words the token limit "Document contains more that N tokens. Parsing aborted."; ours names it plainly. */
export function tokenLimitMessage(message: string): string | null {
  if (!TOKEN_LIMIT_MESSAGE.test(message)) return null;
  return `Syntax Error: the document has more than ${format(QUERY_LIMITS.tokens)} tokens, the limit is ${format(QUERY_LIMITS.tokens)}; parsing stopped there`;
}

function syntaxError(error: GraphQLError): GraphQLError {
  return new GraphQLError(tokenLimitMessage(error.message) ?? error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code: 'GRAPHQL_PARSE_FAILED' },
  });
}

/** Fields that return a connection are priced per node: by name (`…Connection`) or by a `first` argument. */
function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  return getNamedType(field.type).name.endsWith('Connection') || field.args.some((a) => a.name === 'first');
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  defaults: Map<string, ValueNode>;
  measured: Map<string, OperationMeasure>;
  /** Set when a page size was read from a variable: the measure then holds for these variables only. */
  readsVariables: boolean;
}

function intArgument(walk: Walk, value: ValueNode | undefined): number | null {
  if (!value) return null;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    walk.readsVariables = true;
    const given = walk.variables[value.name.value];
    if (typeof given === 'number' && Number.isInteger(given)) return given;
    if (given === undefined) return intArgument(walk, walk.defaults.get(value.name.value));
  }
  return null;
}

function pageSize(walk: Walk, args: readonly { name: { value: string }; value: ValueNode }[] | undefined): number {
  const arg = (name: string) => intArgument(walk, args?.find((a) => a.name.value === name)?.value);
  return Math.max(0, arg('first') ?? arg('last') ?? QUERY_LIMITS.defaultPageSize);
}

function fieldOf(schema: GraphQLSchema, parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!parent || !(isObjectType(parent) || isInterfaceType(parent))) return undefined;
  return parent.getFields()[name];
}

/** Depth, aliases, directives and cost of a selection set whose parent type is `parent` (fragments expanded). */
function measureSelections(walk: Walk, selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, introspection: boolean): OperationMeasure {
  const total: OperationMeasure = { depth: 0, aliases: 0, directives: 0, cost: 0 };
  const add = (m: OperationMeasure, depthOffset: number) => {
    total.depth = Math.max(total.depth, m.depth + depthOffset);
    total.aliases += m.aliases;
    total.directives += m.directives;
    total.cost += m.cost;
  };
  for (const selection of selectionSet.selections) {
    const directives = selection.directives?.length ?? 0;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const field = fieldOf(walk.schema, parent, name);
      const inIntrospection = introspection || name.startsWith('__');
      const child = selection.selectionSet
        ? measureSelections(walk, selection.selectionSet, field ? getNamedType(field.type) : undefined, inIntrospection)
        : { depth: 0, aliases: 0, directives: 0, cost: 0 };
      // Introspection's ofType chains describe one type reference; they do not deepen a document.
      const levels = inIntrospection && name === 'ofType' ? 0 : 1;
      const cost = field && !inIntrospection && isConnection(field) ? pageSize(walk, selection.arguments) * (child.cost + 1) : child.cost;
      add({ depth: child.depth, aliases: child.aliases + (selection.alias ? 1 : 0), directives: child.directives + directives, cost }, levels);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? (walk.schema.getType(selection.typeCondition.name.value) ?? undefined) : parent;
      const child = measureSelections(walk, selection.selectionSet, type, introspection);
      add({ ...child, directives: child.directives + directives }, 0);
    } else {
      const name = selection.name.value;
      let child = walk.measured.get(name);
      if (!child) {
        const fragment = walk.fragments.get(name);
        child = { depth: 0, aliases: 0, directives: 0, cost: 0 };
        walk.measured.set(name, child); // a cycle (refused by validation anyway) cannot recurse forever
        if (fragment) {
          child = measureSelections(walk, fragment.selectionSet, walk.schema.getType(fragment.typeCondition.name.value) ?? undefined, introspection);
          child.directives += fragment.directives?.length ?? 0;
          walk.measured.set(name, child);
        }
      }
      add({ ...child, directives: child.directives + directives }, 0);
    }
  }
  return total;
}

/** Measures of operations that read no variable (the same for every request of that document), by schema. */
const measures = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Readonly<OperationMeasure>>>();

/** Measures the operation that will run (a validated document: fragments exist and do not cycle). */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): Readonly<OperationMeasure> {
  let known = measures.get(schema);
  if (!known) measures.set(schema, (known = new WeakMap()));
  const cached = known.get(operation);
  if (cached) return cached;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const defaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  const walk: Walk = { schema, fragments, variables: variables ?? {}, defaults, measured: new Map(), readsVariables: false };
  const measure = measureSelections(walk, operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, false);
  measure.directives += operation.directives?.length ?? 0;
  if (!walk.readsVariables) known.set(operation, measure);
  return measure;
}

export function queryTooComplex(message: string, limit: keyof OperationMeasure, value: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit, value, max: QUERY_LIMITS[limit], http: { status: 400 } } });
}

/** The limit errors of a measured operation (empty when it is within every limit). */
export function limitErrors(m: OperationMeasure): GraphQLError[] {
  const errors: GraphQLError[] = [];
  if (m.depth > QUERY_LIMITS.depth) errors.push(queryTooComplex(`Query depth ${m.depth} exceeds the limit of ${QUERY_LIMITS.depth}`, 'depth', m.depth));
  if (m.aliases > QUERY_LIMITS.aliases)
    errors.push(queryTooComplex(`The query uses ${format(m.aliases)} aliases; the limit is ${QUERY_LIMITS.aliases}`, 'aliases', m.aliases));
  if (m.directives > QUERY_LIMITS.directives)
    errors.push(queryTooComplex(`The query uses ${format(m.directives)} directives; the limit is ${QUERY_LIMITS.directives}`, 'directives', m.directives));
  if (m.cost > QUERY_LIMITS.cost) {
    errors.push(
      queryTooComplex(
        `Query cost ${format(m.cost)} exceeds the limit of ${format(QUERY_LIMITS.cost)} ` +
          '(a connection costs first × (its selection + 1), first defaulting to 20)',
        'cost',
        m.cost,
      ),
    );
  }
  return errors;
}

/** Rate-limit points of a request: max(1, ceil(cost / 100)) (SPEC §18). */
export function pointsOf(cost: number): number {
  return Math.max(1, Math.ceil(cost / 100));
}
