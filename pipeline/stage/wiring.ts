import {
  catalogue as fullCatalogue,
  changelogs as allChangelogs,
  type ChangelogSpec,
  type TopicSpec,
} from '../../schemas/topics.ts';
import { StageDefinitionError } from '../errors.ts';
import type { StageEntry } from './stage-entry.ts';

// The wiring is written in two places: the catalogue says who produces and consumes each topic (for people,
// Strimzi users and ACLs), the stages say what they read and write (for the runtime). They must agree, and
// every consumed topic must have a producer: a stage of ours or, for topics marked `external`, the user's own.

export interface WiringReport {
  problems: string[];
  /** Per topic: producers and consumers among the registered stages. */
  topics: { name: string; producers: string[]; consumers: string[]; external: boolean }[];
}

const listed = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
const sameSet = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

export function checkWiring(
  entries: readonly StageEntry<unknown>[],
  catalogue: readonly TopicSpec[] = fullCatalogue,
  changelogs: readonly ChangelogSpec[] = allChangelogs,
): WiringReport {
  const problems: string[] = [];
  const names = entries.map((e) => e.name);
  for (const name of new Set(names)) {
    if (names.filter((n) => n === name).length > 1) problems.push(`stage ${name} is registered twice`);
  }
  const known = new Set(catalogue.map((t) => t.name));
  for (const e of entries) {
    for (const t of [...e.inputs, ...e.outputs]) {
      if (!known.has(t.name)) problems.push(`stage ${e.name} uses topic ${t.name}, which is not in the catalogue`);
    }
  }
  const topics = catalogue.map((t) => {
    const producers = entries.filter((e) => e.outputs.some((o) => o.name === t.name)).map((e) => e.name);
    const consumers = entries.filter((e) => e.inputs.some((i) => i.name === t.name)).map((e) => e.name);
    if (!sameSet(producers, t.producers)) {
      problems.push(
        `topic ${t.name}: the catalogue names producers [${listed(t.producers)}], the stages [${listed(producers)}]`,
      );
    }
    if (!sameSet(consumers, t.consumers)) {
      problems.push(
        `topic ${t.name}: the catalogue names consumers [${listed(t.consumers)}], the stages [${listed(consumers)}]`,
      );
    }
    if (consumers.length > 0 && producers.length === 0 && !t.external) {
      problems.push(
        `topic ${t.name} is consumed by ${listed(consumers)} but no stage produces it: mark it external if users produce it`,
      );
    }
    return { name: t.name, producers, consumers, external: t.external === true };
  });
  for (const e of entries) {
    const changelog = changelogs.find((c) => c.stage === e.name);
    if (changelog) {
      const input = e.inputs.find((i) => i.name === changelog.mirrors);
      if (!input)
        problems.push(`changelog ${changelog.name} mirrors ${changelog.mirrors}, which stage ${e.name} does not read`);
      else if (input.partitions !== changelog.partitions) {
        problems.push(
          `changelog ${changelog.name} has ${changelog.partitions} partitions, its input ${input.name} ${input.partitions}`,
        );
      }
    }
    // A stage that joins inputs keeps one state per partition number: only co-partitioned inputs meet there.
    if (changelog && e.inputs.length > 1) {
      const keys = new Set(e.inputs.map((i) => `${i.partitions} partitions by ${i.partitionKey.join('|')}`));
      if (keys.size > 1) {
        problems.push(
          `stage ${e.name} joins ${listed(e.inputs.map((i) => i.name))}, which are not co-partitioned (${[...keys].join(' vs ')})`,
        );
      }
    }
  }
  return { problems, topics };
}

/** At boot: one line naming what disagrees, before anything starts. */
export function assertWiring(entries: readonly StageEntry<unknown>[]): void {
  const { problems } = checkWiring(entries);
  if (problems.length > 0)
    throw new StageDefinitionError(
      `wiring: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more: candleflow topics lists them)` : ''}`,
    );
}
