import { defineSource, topics, type SourceDefinition } from '../../pipeline/index.ts';
import { createCcxtExchange } from './ccxt-exchange.ts';
import { replayFile } from './file-replay.ts';
import { runLiveFeed } from './live-feed.ts';
import type { TradeSourceConfig } from './source-config.ts';

/**
 * The trade-source worker: trades onto `trades` from the bundled sample (looped forever; the default), a file,
 * or an exchange through ccxt. Build it with `parseTradeSourceConfig(process.env)`.
 */
export function createTradeSource(config: TradeSourceConfig): SourceDefinition {
  return defineSource({
    name: 'trade-source',
    description: 'Executed trades from exchanges (ccxt) or file replays.',
    outputs: [topics.trades],
    async run(ctx) {
      const { source } = config;
      if (source.kind === 'sample') {
        await replayFile(ctx, {
          path: source.path,
          format: 'csv',
          speed: config.replaySpeed,
          loop: true,
          // Marked as a replay in the exchange field too: these trades are not Kraken's market now.
          exchange: 'kraken-sample-replay',
        });
      } else if (source.kind === 'file') {
        const sent = await replayFile(ctx, {
          path: source.path,
          format: source.format,
          speed: config.replaySpeed,
          loop: false,
        });
        ctx.log.info({ sent, path: source.path }, 'file replayed');
      } else {
        const exchange = await createCcxtExchange(source.exchange);
        await runLiveFeed(exchange, source.symbols, ctx, { pollIntervalMs: config.pollIntervalMs });
      }
    },
  });
}
