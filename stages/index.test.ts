import { describe, expect, it } from 'vitest';
import { checkWiring } from '../pipeline/runtime/index.ts';
import { stageNames } from '../schemas/topics.ts';
import { stageEntries } from './index.ts';

describe('the stage registry', () => {
  it('agrees with the topic catalogue: producers, consumers, external topics, changelogs, joins', () => {
    expect(checkWiring(stageEntries).problems).toEqual([]);
  });

  it('lists every stage the catalogue names, once', () => {
    expect(stageEntries.map((e) => e.name).sort()).toEqual([...stageNames].sort());
  });
});
