import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

// Stages that join two topics (the error monitor: predictions + candles) keep one state per partition number,
// which only works when partition p of every input goes to the same member. Kafka's round-robin assignor does not
// promise that; this one does: members sorted by id, partition p of every topic to member p mod n.

export const CO_PARTITIONED_ASSIGNOR = 'CandleflowCoPartitioned';

/** Partition numbers per member id: partition p of every topic goes to sortedMembers[p % n]. */
export function coPartitionedAssignment(memberIds: readonly string[], partitionsByTopic: ReadonlyMap<string, number>): Map<string, Map<string, number[]>> {
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

/** The same rule as a kafkajs partition assigner. */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNOR,
  version: 0,
  async assign({ members, topics }) {
    const counts = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).length] as const));
    const assignment = coPartitionedAssignment(members.map((m) => m.memberId), counts);
    return [...assignment].map(([memberId, byTopic]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: Object.fromEntries(byTopic), userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: CO_PARTITIONED_ASSIGNOR, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
