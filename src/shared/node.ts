// The Relay `Node` interface (SPEC §23): every object with an id of its own implements it; Query.node finds it.
import { Field, ID, InterfaceType } from 'type-graphql';

/** The GraphQL type name of each object Query.node / Query.nodes return (set by the node resolver). */
const nodeTypeNames = new WeakMap<object, string>();

export function asNode<T extends object>(typeName: string, value: T): T {
  nodeTypeNames.set(value, typeName);
  return value;
}

@InterfaceType('Node', {
  description: 'An object with an id of its own, which Query.node finds again (Relay object identification).',
  resolveType: (value: object) => nodeTypeNames.get(value),
})
export abstract class NodeInterface {
  @Field(() => ID, { description: 'Globally unique and stable: a UUID, a service id, or `<partnerId>:<YYYY-MM>` for an invoice.' })
  id: string;
}
