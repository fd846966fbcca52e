import { describe, expect, it } from 'vitest';
import { newsId, SeenIds } from './news-id.ts';

describe('news ids', () => {
  it('hashes the guid, else the link, else title and published time, to 32 hex characters', () => {
    const guid = newsId({ guid: 'https://example.com/?p=1', url: 'https://example.com/a', title: 'A' });
    expect(guid).toMatch(/^[0-9a-f]{32}$/);
    expect(newsId({ guid: 'https://example.com/?p=1', url: 'https://example.com/other', title: 'B' })).toBe(guid);
    expect(newsId({ url: 'https://example.com/a', title: 'A' })).not.toBe(guid);
    expect(newsId({ url: ' https://example.com/a ', title: 'C' })).toBe(
      newsId({ url: 'https://example.com/a', title: 'A' }),
    );
    const byTitle = newsId({ title: 'A', publishedAt: 1 });
    expect(newsId({ title: ' A ', publishedAt: 1 })).toBe(byTitle);
    expect(newsId({ title: 'A', publishedAt: 2 })).not.toBe(byTitle);
    // A guid spelled as a link does not collide with the item whose link it is.
    expect(newsId({ guid: 'https://example.com/a', title: 'A' })).not.toBe(
      newsId({ url: 'https://example.com/a', title: 'A' }),
    );
  });

  it('keeps a guid that is no URI apart per feed, a URI guid the same across feeds', () => {
    expect(newsId({ guid: '1234', title: 'A', scope: 'https://a.example/rss' })).not.toBe(
      newsId({ guid: '1234', title: 'A', scope: 'https://b.example/rss' }),
    );
    expect(newsId({ guid: 'urn:uuid:1225c695', title: 'A', scope: 'https://a.example/rss' })).toBe(
      newsId({ guid: 'urn:uuid:1225c695', title: 'A', scope: 'https://b.example/rss' }),
    );
  });
});

describe('seen ids', () => {
  it('remembers ids once, forgetting the oldest past its capacity', () => {
    const seen = new SeenIds(3);
    expect(['a', 'b', 'a', 'c'].map((id) => seen.add(id))).toEqual([true, true, false, true]);
    seen.add('d');
    expect(seen.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((id) => seen.has(id))).toEqual([false, true, true, true]);
    seen.delete('c');
    expect(seen.add('c')).toBe(true);
  });
});
