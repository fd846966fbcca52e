import { changelogOf, changelogs, deadLetterTopic, type CleanupPolicy } from '../../schemas/topics.ts';
import type { TopicDescription, TopicSettings } from '../bus/bus.ts';
import { TopicMismatchError } from '../errors.ts';
import type { AnyStage, SourceDefinition } from '../stage/define-stage.ts';

// A worker checks the topics it reads and writes before its first record: a changelog partitioned unlike its
// input, or a topic whose partitions or cleanup policy contradict the catalogue, would give wrong state or
// wrong joins silently, so it stops at start with one line naming the topic.

/** Names of every topic a set of stages and sources reads or writes, dead letters and changelogs included. */
export function topicsUsed(stages: readonly AnyStage[], sources: readonly SourceDefinition[]): string[] {
  const names = new Set<string>();
  for (const stage of stages) {
    for (const t of stage.inputs) names.add(t.name).add(deadLetterTopic(t.name));
    for (const t of stage.outputs) names.add(t.name);
    const changelog = stage.state ? changelogOf(stage.name) : undefined;
    if (changelog) names.add(changelog.name);
  }
  for (const source of sources) for (const t of source.outputs) names.add(t.name);
  return [...names];
}

function samePolicy(a: string, b: CleanupPolicy | undefined): boolean {
  const set = (p: string) =>
    p
      .split(',')
      .map((x) => x.trim())
      .sort()
      .join(',');
  return set(a) === set(b ?? 'delete');
}

/** What contradicts the catalogue, one phrase per topic (empty when all agree). */
export function topicMismatches(expected: readonly TopicSettings[], found: readonly TopicDescription[]): string[] {
  const byName = new Map(found.map((t) => [t.name, t]));
  const problems: string[] = [];
  for (const want of expected) {
    const got = byName.get(want.name);
    if (!got) {
      problems.push(
        `topic ${want.name} does not exist (expected ${want.partitions} partitions; create it from strimzi/topics.yaml)`,
      );
      continue;
    }
    if (got.partitions !== want.partitions) {
      const mirrors = changelogs.find((c) => c.name === want.name)?.mirrors;
      const why = mirrors ? `, like its input ${mirrors}` : '';
      problems.push(`topic ${want.name} has ${got.partitions} partitions, expected ${want.partitions}${why}`);
    }
    if (got.cleanupPolicy !== undefined && !samePolicy(got.cleanupPolicy, want.cleanupPolicy)) {
      problems.push(
        `topic ${want.name} has cleanup.policy=${got.cleanupPolicy}, expected ${want.cleanupPolicy ?? 'delete'}`,
      );
    }
  }
  return problems;
}

/** Throws TopicMismatchError naming every topic that contradicts the catalogue. */
export function assertTopicsMatch(expected: readonly TopicSettings[], found: readonly TopicDescription[]): void {
  const problems = topicMismatches(expected, found);
  if (problems.length > 0) throw new TopicMismatchError(problems.join('; '));
}
