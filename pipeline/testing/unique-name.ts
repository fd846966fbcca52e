import { randomUUID } from 'node:crypto';

let counter = 0;
/** Topic and group names that never collide between tests or runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}-${++counter}`;
}
