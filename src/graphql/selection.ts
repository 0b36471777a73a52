// Look-ahead into a resolver's selection set, so a read can fetch what the query will ask for next in the same
// statement (a connection's totalCount only when selected, a relation joined into the page that lists it).
import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

function childFields(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, name: string, into: FieldNode[]): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) into.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      childFields(selection.selectionSet, fragments, name, into);
    } else {
      childFields(fragments[selection.name.value]?.selectionSet, fragments, name, into);
    }
  }
}

/** The nodes of the fields at `path` below the current field (through fragments); none when it is not selected. */
function reach(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: string[]): readonly FieldNode[] {
  let level: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    const next: FieldNode[] = [];
    for (const node of level) childFields(node.selectionSet, info.fragments, name, next);
    if (next.length === 0) return next;
    level = next;
  }
  return level;
}

/** True when the current field's selection reaches `path` (e.g. 'edges', 'node', 'activeDeal'), through fragments too. */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, ...path: string[]): boolean {
  return reach(info, path).length > 0;
}

function collectNames(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, into: Set<string>): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) into.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collectNames(selection.selectionSet, fragments, into);
    else collectNames(fragments[selection.name.value]?.selectionSet, fragments, into);
  }
}

/** The names of the fields selected at `path` below the current field (through fragments), or null when it is not selected. */
export function selectedNames(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, ...path: string[]): Set<string> | null {
  const level = reach(info, path);
  if (level.length === 0) return null;
  const names = new Set<string>();
  for (const node of level) collectNames(node.selectionSet, info.fragments, names);
  return names;
}

/**
 * The selected names (`selectedNames`) when each is one of `plain` (or __typename, which needs nothing), sorted; null
 * when the selection is missing or asks for anything else — a narrow read serves only plain fields.
 */
export function plainFields(names: ReadonlySet<string> | null, plain: { has(name: string): boolean }): string[] | null {
  if (!names) return null;
  const out: string[] = [];
  for (const name of names) {
    if (plain.has(name)) out.push(name);
    else if (name !== '__typename') return null;
  }
  return out.sort();
}
