// Stages that join two topics (the error monitor: predictions + candles) keep one state per partition number,
// which only works when partition p of every input goes to the same member. Kafka's round-robin assignor does not
// promise that; this one does: members sorted by id, partition p of every topic to member p mod n.

export const CO_PARTITIONED_ASSIGNOR = 'CandleflowCoPartitioned';

/** Partition numbers per member id: partition p of every topic goes to sortedMembers[p % n]. */
export function coPartitionedAssignment(
  memberIds: readonly string[],
  partitionsByTopic: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const members = [...memberIds].sort();
  const result = new Map<string, Map<string, number[]>>(members.map((m) => [m, new Map()]));
  if (members.length === 0) return result;
  for (const [topic, count] of [...partitionsByTopic].sort(([a], [b]) => a.localeCompare(b))) {
    for (let p = 0; p < count; p++) {
      const byTopic = result.get(members[p % members.length]!)!;
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), p]);
    }
  }
  return result;
}
