import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { CO_PARTITIONED_ASSIGNOR, coPartitionedAssignment } from '../co-partitioned-assignment.ts';

/** The same rule as a kafkajs partition assigner. */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNOR,
  version: 0,
  async assign({ members, topics }) {
    const counts = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).length] as const));
    const assignment = coPartitionedAssignment(
      members.map((m) => m.memberId),
      counts,
    );
    return [...assignment].map(([memberId, byTopic]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: Object.fromEntries(byTopic),
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNOR,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
