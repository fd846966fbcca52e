// How the trade source tells trade-to-ohlc that an exchange feed went down or came back. Trades carry no such
// field, so the source sends a marker: a message on `trades` keyed by the symbol whose value is the last trade
// it saw (a valid record, never applied) and whose header FEED_STATUS_HEADER says `down` or `up`. While a
// symbol's feed is down the wall clock closes none of its windows: they wait for the backfill. A finite source
// (a file) says `end` for each symbol after its last trade: the end of the file is the end of event time, so
// every open window of that symbol closes, exactly as `candleflow candles` closes them at the end of the file.

export const FEED_STATUS_HEADER = 'candleflow-feed-status';
export type FeedStatus = 'down' | 'up' | 'end';

export function feedStatusOf(headers: Record<string, string> | undefined): FeedStatus | null {
  const value = headers?.[FEED_STATUS_HEADER];
  return value === 'down' || value === 'up' || value === 'end' ? value : null;
}
