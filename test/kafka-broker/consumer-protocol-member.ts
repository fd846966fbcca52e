import { randomBytes } from 'node:crypto';
import net from 'node:net';

// A group member that speaks the new consumer group protocol of KIP-848 (ConsumerGroupHeartbeat v1, the way
// Java clients with group.protocol=consumer and librdkafka 2.10+ join), just enough to show what happens to
// a kafkajs group when such a member joins it. It takes whatever the broker's assignor gives and owns it at
// the next heartbeat. One connection, to the group's coordinator (found by asking each node in turn).

const apiKey = 68; // ConsumerGroupHeartbeat
const apiVersion = 1;
/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: try again or elsewhere. */
const retryOn = new Set([14, 15, 16]);

function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

const compactString = (s: string | null) =>
  s === null ? uvarint(0) : Buffer.concat([uvarint(Buffer.byteLength(s) + 1), Buffer.from(s)]);
const compactArray = (items: Buffer[] | null) =>
  items === null ? uvarint(0) : Buffer.concat([uvarint(items.length + 1), ...items]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const noTags = uvarint(0);

class Reader {
  constructor(
    private readonly buf: Buffer,
    private at = 0,
  ) {}
  int16 = () => ((this.at += 2), this.buf.readInt16BE(this.at - 2));
  int32 = () => ((this.at += 4), this.buf.readInt32BE(this.at - 4));
  int8 = () => this.buf.readInt8(this.at++);
  uvarint(): number {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.buf[this.at++]!;
      n |= (b & 0x7f) << shift;
      if (b < 0x80) return n;
    }
  }
  compactString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    this.at += len;
    return this.buf.toString('utf8', this.at - len, this.at);
  }
  bytes(n: number): Buffer {
    this.at += n;
    return this.buf.subarray(this.at - n, this.at);
  }
  skipTags(): void {
    for (let count = this.uvarint(); count > 0; count--) {
      this.uvarint();
      this.at += this.uvarint();
    }
  }
}

interface OwnedTopic {
  topicId: Buffer;
  partitions: number[];
}

export interface HeartbeatAnswer {
  errorCode: number;
  errorMessage: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** null when the broker sent no new assignment. */
  assignment: OwnedTopic[] | null;
}

export class ConsumerProtocolMember {
  readonly memberId = randomBytes(16).toString('base64url');
  epoch = 0;
  owned: OwnedTopic[] = [];
  readonly answers: HeartbeatAnswer[] = [];
  private correlationId = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: Array<(frame: Buffer) => void> = [];
  private data = Buffer.alloc(0);

  private constructor(
    private readonly socket: net.Socket,
    private readonly groupId: string,
    private readonly topics: readonly string[],
  ) {
    socket.on('data', (chunk) => {
      this.data = Buffer.concat([this.data, chunk]);
      while (this.data.length >= 4 && this.data.length >= 4 + this.data.readInt32BE(0)) {
        const frame = this.data.subarray(4, 4 + this.data.readInt32BE(0));
        this.data = this.data.subarray(4 + frame.length);
        this.pending.shift()?.(frame);
      }
    });
  }

  /**
   * Joins `groupId` (subscribed to `topics`) through whichever of `addresses` coordinates the group, and
   * heartbeats every `everyMs` until leave(). Rejects with the broker's error when it refuses the member.
   */
  static async join(
    addresses: readonly string[],
    groupId: string,
    topics: readonly string[],
    everyMs = 300,
  ): Promise<ConsumerProtocolMember> {
    for (let attempt = 0; ; attempt++) {
      for (const address of addresses) {
        const [host, port] = address.split(':');
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: host!, port: Number(port) }, () => resolve(s));
          s.once('error', reject);
        });
        const member = new ConsumerProtocolMember(socket, groupId, topics);
        const first = await member.heartbeat(true);
        if (first.errorCode === 0) {
          const beat = () => {
            member.timer = setTimeout(() => member.heartbeat(false).then(beat, () => undefined), everyMs);
          };
          beat();
          return member;
        }
        socket.destroy();
        if (!retryOn.has(first.errorCode) || attempt >= 50) {
          throw new Error(`ConsumerGroupHeartbeat error ${first.errorCode}: ${first.errorMessage}`);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Partitions the broker assigned to this member (of every subscribed topic). */
  partitions(): number[] {
    return this.owned.flatMap((t) => t.partitions).sort((a, b) => a - b);
  }

  async heartbeat(full: boolean, epoch = this.epoch): Promise<HeartbeatAnswer> {
    const owned = this.owned.map((t) => Buffer.concat([t.topicId, compactArray(t.partitions.map(int32)), noTags]));
    const header = Buffer.alloc(8);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(apiVersion, 2);
    header.writeInt32BE(++this.correlationId, 4);
    const clientId = Buffer.from('kip848-probe');
    const clientIdLength = Buffer.alloc(2);
    clientIdLength.writeInt16BE(clientId.length);
    const body = Buffer.concat([
      compactString(this.groupId),
      compactString(this.memberId),
      int32(epoch),
      compactString(null), // InstanceId
      compactString(null), // RackId
      int32(full ? 30_000 : -1), // RebalanceTimeoutMs
      full ? compactArray(this.topics.map((t) => compactString(t))) : compactArray(null),
      compactString(null), // SubscribedTopicRegex
      compactString(null), // ServerAssignor: the broker's default
      compactArray(full && this.owned.length === 0 ? [] : owned),
      noTags,
    ]);
    const frame = Buffer.concat([header, clientIdLength, clientId, noTags, body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.length);
    const reply = new Promise<Buffer>((resolve) => this.pending.push(resolve));
    this.socket.write(Buffer.concat([size, frame]));
    const answer = this.parse(await reply);
    this.answers.push(answer);
    if (answer.errorCode === 0) {
      this.epoch = answer.memberEpoch;
      if (answer.assignment) this.owned = answer.assignment;
    }
    return answer;
  }

  private parse(frame: Buffer): HeartbeatAnswer {
    const r = new Reader(frame);
    r.int32(); // correlation id
    r.skipTags();
    r.int32(); // throttle
    const errorCode = r.int16();
    const errorMessage = r.compactString();
    r.compactString(); // member id
    const memberEpoch = r.int32();
    const heartbeatIntervalMs = r.int32();
    let assignment: OwnedTopic[] | null = null;
    if (r.int8() >= 0) {
      assignment = [];
      for (let n = r.uvarint() - 1; n > 0; n--) {
        const topicId = Buffer.from(r.bytes(16));
        const partitions: number[] = [];
        for (let p = r.uvarint() - 1; p > 0; p--) partitions.push(r.int32());
        r.skipTags();
        assignment.push({ topicId, partitions });
      }
      r.skipTags();
    }
    return { errorCode, errorMessage, memberEpoch, heartbeatIntervalMs, assignment };
  }

  async leave(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.heartbeat(false, -1).catch(() => undefined);
    this.socket.destroy();
  }
}
