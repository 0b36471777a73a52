// Edges' cursors (and pageInfo's start and end cursors) are encoded when read (most pages never select them), once,
// and kept by withNode.
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { encodeCursor, pageWindow, toConnection, withNode } from '../../src/shared/pagination';

describe('lazy edge cursors', () => {
  it('encodes a cursor only when it is read, once, and keeps it across withNode', () => {
    const reads: string[] = [];
    const rows = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
    const page = toConnection(rows, pageWindow({ first: 3 }, ['text', 'text']), (row) => (reads.push(row.id), [row.id, row.id]), {
      totalCount: 4,
      beyondCursor: false,
    });
    expect(page.edges.map((e) => e.node.id)).toEqual(['a', 'b', 'c']);
    expect(reads).toEqual([]); // pageInfo's start and end cursors too are encoded only when read
    expect(page.pageInfo).toMatchObject({ startCursor: encodeCursor(['a', 'a']), endCursor: encodeCursor(['c', 'c']), hasNextPage: true });
    expect(reads).toEqual(['a', 'c']);
    expect([page.pageInfo.startCursor, page.edges[0].cursor]).toEqual([encodeCursor(['a', 'a']), encodeCursor(['a', 'a'])]);
    expect(reads).toEqual(['a', 'c']); // once per edge, whoever reads it
    const moved = withNode(page.edges[1], 'B');
    expect(reads).toEqual(['a', 'c']);
    expect([moved.node, moved.cursor, page.edges[1].cursor]).toEqual(['B', encodeCursor(['b', 'b']), encodeCursor(['b', 'b'])]);
    expect(reads).toEqual(['a', 'c', 'b', 'b']); // the moved edge and the original each encode once
    expect(page.edges[1].cursor).toBe(encodeCursor(['b', 'b']));
    expect(reads).toHaveLength(4);
  });
});
