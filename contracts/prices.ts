import { DEFAULT_MODEL } from './spawner-result.ts';

export { DEFAULT_MODEL };

/** USD per million tokens for one model. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  note: string;
}

/**
 * List prices per model. Prices are data: update this table, not the code
 * that uses it. The default model is the one every butler runs.
 */
export const PRICES: Readonly<Record<string, ModelPrice>> = {
  [DEFAULT_MODEL]: { inputPerMTok: 1.0, outputPerMTok: 5.0, note: 'Claude Haiku 4.5, current list price (default)' },
  'claude-haiku-4-5': { inputPerMTok: 1.0, outputPerMTok: 5.0, note: 'alias of claude-haiku-4-5-20251001' },
  'claude-3-5-haiku-20241022': { inputPerMTok: 0.8, outputPerMTok: 4.0, note: 'Claude Haiku 3.5' },
  'claude-sonnet-4-5-20250929': { inputPerMTok: 3.0, outputPerMTok: 15.0, note: 'Claude Sonnet 4.5' },
};

/**
 * The figures the original estimates used for Haiku 4.5 ($0.80 / $4). Kept so
 * a run can be compared with those estimates; never the default.
 */
export const SEED_PRICE: ModelPrice = {
  inputPerMTok: 0.8,
  outputPerMTok: 4.0,
  note: 'seed figures of the original estimates, for comparison',
};

/** A price lookup: `fallback` is true when the model is not in the table and the default's price was used. */
export interface PriceLookup {
  model: string;
  price: ModelPrice;
  fallback: boolean;
}

export function priceFor(model: string, table: Readonly<Record<string, ModelPrice>> = PRICES): PriceLookup {
  const price = table[model];
  if (price) return { model, price, fallback: false };
  return { model, price: table[DEFAULT_MODEL] ?? PRICES[DEFAULT_MODEL], fallback: true };
}

/**
 * Prompt-cache prices relative to the input price, as Anthropic lists them for
 * every model: a cache write (5-minute TTL) costs 1.25×, a cache read 0.1×.
 */
export const CACHE_WRITE_MULTIPLIER = 1.25;
export const CACHE_READ_MULTIPLIER = 0.1;

/** Input tokens the prompt cache wrote and read, next to the uncached `input_tokens`. */
export interface CacheTokens {
  cacheCreationTokens?: number;
  cacheReadTokens?: number;
}

/**
 * Cost in USD of the given token counts at a price. `inputTokens` is the
 * uncached input, as the API reports it; cache writes and reads are priced
 * at their multiples of the input price.
 */
export function priceTokens(price: ModelPrice, inputTokens: number, outputTokens: number, cache: CacheTokens = {}): number {
  const cachedInput = (cache.cacheCreationTokens ?? 0) * CACHE_WRITE_MULTIPLIER + (cache.cacheReadTokens ?? 0) * CACHE_READ_MULTIPLIER;
  return ((inputTokens + cachedInput) * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000;
}

/** Estimated USD for one model's tokens; unknown models are priced as the default (see `priceFor` for the flag). */
export function costUsd(model: string, inputTokens: number, outputTokens: number, cache: CacheTokens = {}): number {
  return priceTokens(priceFor(model).price, inputTokens, outputTokens, cache);
}

/** Same tokens at the seed figures, to compare with the original estimates. */
export function seedCostUsd(inputTokens: number, outputTokens: number): number {
  return priceTokens(SEED_PRICE, inputTokens, outputTokens);
}
