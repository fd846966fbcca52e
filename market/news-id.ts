import { createHash } from 'node:crypto';

/** Hex characters of sha256 kept in an id: 128 bits, no collision among any number of headlines we will see. */
const ID_HEX = 32;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, ID_HEX);
}

/**
 * A stable id for a news item: its feed's guid (Atom id), else its link, else its title and published time. Each
 * is namespaced so a guid never equals a link of another item; the same item read twice gets the same id.
 * A guid that is not an absolute URI (`1234`) is unique only within its feed, so `scope` (the feed) joins it.
 */
export function newsId(item: {
  guid?: string | null;
  url?: string | null;
  title: string;
  publishedAt?: number | null;
  scope?: string;
}): string {
  const guid = item.guid?.trim();
  if (guid) return hash(/^[a-z][a-z0-9+.-]*:/i.test(guid) ? `guid:${guid}` : `guid:${item.scope ?? ''}|${guid}`);
  const url = item.url?.trim();
  if (url) return hash(`url:${url}`);
  return hash(`title:${item.title.trim()}|${item.publishedAt ?? ''}`);
}

/** Ids seen recently, oldest forgotten first past `capacity`: a re-polled feed item is emitted once. */
export class SeenIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id`; false when it was already known. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return true;
  }

  delete(id: string): void {
    this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
