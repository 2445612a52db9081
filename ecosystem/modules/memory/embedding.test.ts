import { expect, test } from '@playwright/test';
import { embed, EMBEDDING_DIM, toVectorLiteral } from './embedding.ts';

const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

test('embeddings are deterministic, 256-dim and unit length', () => {
  const a = embed('My sister Alice loves orchids');
  expect(a).toHaveLength(EMBEDDING_DIM);
  expect(embed('My sister Alice loves orchids')).toEqual(a);
  expect(Math.abs(cos(a, a) - 1)).toBeLessThan(1e-4);
  expect(embed('')).toHaveLength(EMBEDDING_DIM);
  expect(toVectorLiteral([0.5, -1, 0])).toBe('[0.5,-1,0]');
});

test('related text is closer than unrelated text', () => {
  const q = embed('what flowers does Alice like');
  const related = embed('Alice loves orchids and other flowers');
  const unrelated = embed('The quarterly tax report is due on Friday');
  expect(cos(q, related)).toBeGreaterThan(cos(q, unrelated) + 0.1);
});
