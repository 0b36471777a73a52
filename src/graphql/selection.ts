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

/** True when the current field's selection reaches `path` (e.g. 'edges', 'node', 'activeDeal'), through fragments too. */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, ...path: string[]): boolean {
  let level: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    const next: FieldNode[] = [];
    for (const node of level) childFields(node.selectionSet, info.fragments, name, next);
    if (next.length === 0) return false;
    level = next;
  }
  return true;
}
