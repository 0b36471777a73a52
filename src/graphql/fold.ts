// Folding a field's read into its parent's statement: a root resolver that reads one row (e.g. partner(id)) looks at
// the fields selected on it, reads what they need in the same SQL statement, and leaves each field's value here,
// keyed by the request, the field's node in the document and the parent's id. The field's resolver takes it from
// here when present and reads for itself otherwise (another parent, a second alias, a window that is not folded).
import { getArgumentValues, Kind, visit, type ASTNode, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { AppContext } from './context';

const stash = new WeakMap<AppContext, Map<FieldNode, Map<string, unknown>>>();

/** Leaves the value of the field `node` of parent `parentId` for its resolver. */
export function leaveFolded(ctx: AppContext, node: FieldNode, parentId: string, value: unknown): void {
  let byNode = stash.get(ctx);
  if (!byNode) stash.set(ctx, (byNode = new Map()));
  let byParent = byNode.get(node);
  if (!byParent) byNode.set(node, (byParent = new Map()));
  byParent.set(parentId, value);
}

/** The value a parent's read left for the field being resolved, or undefined. */
export function takeFolded<T>(ctx: AppContext, info: Pick<GraphQLResolveInfo, 'fieldNodes'>, parentId: string): T | undefined {
  return stash.get(ctx)?.get(info.fieldNodes[0])?.get(parentId) as T | undefined;
}

export interface SelectedField {
  /** The response key's only node: the one graphql-js hands the field's resolver as fieldNodes[0]. */
  node: FieldNode;
  name: string;
  args: Record<string, unknown>;
}

/** Response key → its node, or null when the key has several nodes or directives (not folded: keep it simple). */
function collect(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo, seen: Map<string, FieldNode | null>): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      seen.set(key, seen.has(key) || selection.directives?.length ? null : selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, info, seen);
    } else {
      collect(info.fragments[selection.name.value]?.selectionSet, info, seen);
    }
  }
}

/**
 * The fields selected on the current field's object type `type` that can be folded, with their coerced arguments:
 * a response key asked once, without directives, whose arguments coerce (otherwise its resolver deals with it).
 */
export function selectedFields(info: GraphQLResolveInfo, type: GraphQLObjectType, wanted: (name: string) => boolean = () => true): SelectedField[] {
  const seen = new Map<string, FieldNode | null>();
  for (const node of info.fieldNodes) collect(node.selectionSet, info, seen);
  const fields = type.getFields();
  const out: SelectedField[] = [];
  for (const node of seen.values()) {
    const definition = node && fields[node.name.value];
    if (!node || !wanted(node.name.value)) continue;
    if (!definition) continue;
    try {
      out.push({ node, name: node.name.value, args: getArgumentValues(definition, node, info.variableValues) });
    } catch {
      // left to the field's resolver
    }
  }
  return out;
}

/** The fragments' selections of `selectionSet` flattened, or null when a fragment there has directives (conditional). */
function flatten(selectionSet: SelectionSetNode | undefined, fragments: GraphQLResolveInfo['fragments'], into: FieldNode[] = []): FieldNode[] | null {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      into.push(selection);
      continue;
    }
    if (selection.directives?.length) return null;
    const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
    if (!flatten(inner, fragments, into)) return null;
  }
  return into;
}

/** The one field node at `path` below `node` (through fragments), or null when there are none, several, or directives. */
export function soleNode(node: FieldNode, fragments: GraphQLResolveInfo['fragments'], ...path: string[]): FieldNode | null {
  let current = node;
  for (const name of path) {
    const found = flatten(current.selectionSet, fragments)?.filter((field) => field.name.value === name);
    if (found?.length !== 1 || found[0].directives?.length) return null;
    current = found[0];
  }
  return current;
}

const variablesByNode = new WeakMap<FieldNode, string[]>();

/** The names of the variables used anywhere below `node` (arguments and directives, through fragments), sorted. */
export function variablesBelow(node: FieldNode, fragments: GraphQLResolveInfo['fragments']): string[] {
  let names = variablesByNode.get(node);
  if (!names) {
    const found = new Set<string>();
    const seen = new Set<string>();
    const walk = (root: ASTNode) =>
      visit(root, {
        Variable: (variable) => void found.add(variable.name.value),
        FragmentSpread: (spread) => {
          const fragment = fragments[spread.name.value];
          if (fragment && !seen.has(spread.name.value)) {
            seen.add(spread.name.value);
            walk(fragment.selectionSet);
          }
        },
      });
    if (node.selectionSet) walk(node.selectionSet);
    variablesByNode.set(node, (names = [...found].sort()));
  }
  return names;
}
