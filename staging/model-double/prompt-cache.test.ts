import { expect, test } from '@playwright/test';
import { PromptCache, breakpoints, estimateTokens, minimumCacheableTokens, requestChars } from './prompt-cache.ts';
import { type ModelDoubleHandle, startModelDouble } from './server.ts';
import type { MessagesRequest, ToolDefinition } from './types.ts';

const ephemeral = { type: 'ephemeral' } as const;

/** `n` tools of about 1,000 characters each, the last one marked as a breakpoint when `mark`. */
function bulkyTools(n: number, mark = true, salt = ''): ToolDefinition[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `tool_${i}`,
    description: `Tool number ${i}${salt}. ${'Reads and writes records of the kind it is named after. '.repeat(16)}`,
    input_schema: { type: 'object', properties: { note: { type: 'string' } } },
    ...(mark && i === n - 1 ? { cache_control: ephemeral } : {}),
  }));
}

function request(tools: ToolDefinition[], over: Partial<MessagesRequest> = {}): MessagesRequest {
  return {
    model: 'claude-haiku-4-5-20251001',
    max_tokens: 256,
    system: [{ type: 'text', text: 'You are a butler.', cache_control: ephemeral }],
    messages: [{ role: 'user', content: 'Please do the thing.' }],
    tools,
    ...over,
  };
}

const total = (req: MessagesRequest) => estimateTokens(requestChars(req));

test.describe('prompt cache', () => {
  test('minimums follow the API: Haiku 4.5 needs 4,096 tokens, unknown models 1,024', () => {
    expect(minimumCacheableTokens('claude-haiku-4-5-20251001')).toBe(4096);
    expect(minimumCacheableTokens('claude-haiku-4-5')).toBe(4096);
    expect(minimumCacheableTokens('claude-3-5-haiku-20241022')).toBe(2048);
    expect(minimumCacheableTokens('claude-sonnet-4-5-20250929')).toBe(1024);
    expect(minimumCacheableTokens('claude-test-1')).toBe(1024);
  });

  test('the first request writes the prefix, an identical one reads it; the three counts sum to the whole input', () => {
    const cache = new PromptCache();
    const req = request(bulkyTools(20));
    const whole = total(req);
    const first = cache.usage(req, 0);
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.cache_creation_input_tokens).toBeGreaterThanOrEqual(4096);
    expect(first.input_tokens).toBeGreaterThan(0);
    expect(first.input_tokens + first.cache_creation_input_tokens + first.cache_read_input_tokens).toBe(whole);

    const second = cache.usage(req, 60_000);
    expect(second).toEqual({ input_tokens: first.input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: first.cache_creation_input_tokens });
  });

  test('a later turn (same tools and system, more messages) reads the prefix and pays only for what follows it', () => {
    const cache = new PromptCache();
    const tools = bulkyTools(20);
    const turn1 = request(tools);
    const u1 = cache.usage(turn1, 0);
    const turn2 = request(tools, {
      messages: [
        { role: 'user', content: 'Please do the thing.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'tool_0', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'done' }] },
      ],
    });
    const u2 = cache.usage(turn2, 1000);
    expect(u2.cache_read_input_tokens).toBe(u1.cache_creation_input_tokens);
    expect(u2.cache_creation_input_tokens).toBe(0);
    expect(u2.input_tokens).toBe(total(turn2) - u2.cache_read_input_tokens);
    expect(u2.input_tokens).toBeGreaterThan(u1.input_tokens);
  });

  test('a changed prefix is written again; the old entry stays readable', () => {
    const cache = new PromptCache();
    const a = request(bulkyTools(20));
    const b = request(bulkyTools(20, true, ' (revised)'));
    cache.usage(a, 0);
    const changed = cache.usage(b, 1);
    expect(changed.cache_read_input_tokens).toBe(0);
    expect(changed.cache_creation_input_tokens).toBeGreaterThanOrEqual(4096);
    expect(cache.usage(a, 2).cache_read_input_tokens).toBeGreaterThan(0);
    // A different system prompt behind the same tools: the tools breakpoint is read, the rest up to the system breakpoint written.
    const sys = request(bulkyTools(20), { system: [{ type: 'text', text: 'You are another butler.', cache_control: ephemeral }] });
    const u = cache.usage(sys, 3);
    const toolsOnly = breakpoints(sys)[0].tokens;
    expect(u.cache_read_input_tokens).toBe(toolsOnly);
    expect(u.cache_creation_input_tokens).toBe(breakpoints(sys)[1].tokens - toolsOnly);
  });

  test('below the minimum nothing is cached, and without breakpoints nothing is cached', () => {
    const cache = new PromptCache();
    const small = request(bulkyTools(6));
    expect(breakpoints(small).at(-1)!.tokens).toBeGreaterThan(1024);
    for (const at of [0, 1]) {
      expect(cache.usage(small, at)).toEqual({ input_tokens: total(small), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    }
    // The same prefix is cached for a model whose (lower) minimum it reaches.
    expect(cache.usage({ ...small, model: 'claude-test-1' }, 2).cache_creation_input_tokens).toBeGreaterThan(0);
    const unmarked = request(bulkyTools(20, false), { system: 'You are a butler.' });
    expect(cache.usage(unmarked, 0)).toEqual({ input_tokens: total(unmarked), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(cache.usage(unmarked, 1).cache_read_input_tokens).toBe(0);
  });

  test('an entry expires after its TTL (5 minutes, refreshed by every hit; 1 hour when asked)', () => {
    const cache = new PromptCache();
    const req = request(bulkyTools(20));
    cache.usage(req, 0);
    expect(cache.usage(req, 4 * 60_000).cache_read_input_tokens).toBeGreaterThan(0);
    expect(cache.usage(req, 8 * 60_000).cache_read_input_tokens, 'refreshed at 4 min, alive at 8').toBeGreaterThan(0);
    expect(cache.usage(req, 14 * 60_000).cache_read_input_tokens, 'expired after 5 idle minutes').toBe(0);
    const long = request(bulkyTools(20, false), { system: [{ type: 'text', text: 'x'.repeat(20_000), cache_control: { type: 'ephemeral', ttl: '1h' } }] });
    cache.usage(long, 0);
    expect(cache.usage(long, 30 * 60_000).cache_read_input_tokens).toBeGreaterThan(0);
  });

  test('markers are not counted: marking a request does not change its total', () => {
    const plain = request(bulkyTools(20, false), { system: [{ type: 'text', text: 'You are a butler.' }] });
    expect(requestChars(request(bulkyTools(20)))).toBe(requestChars(plain));
  });

  test('more than four breakpoints or a bad marker is refused as the API does', () => {
    const five = request(bulkyTools(5).map((t) => ({ ...t, cache_control: ephemeral })));
    expect(() => breakpoints(five)).toThrow('A maximum of 4 blocks with cache_control may be provided. Found 6.');
    const bad = request(bulkyTools(2).map((t) => ({ ...t, cache_control: { type: 'forever' } })));
    expect(() => breakpoints(bad)).toThrow(/tools\.0\.cache_control\.type/);
  });
});

test.describe('prompt cache through the endpoint', () => {
  let double: ModelDoubleHandle;
  test.beforeAll(async () => {
    double = await startModelDouble({ apiKey: 'sk-cache' });
  });
  test.afterAll(async () => {
    await double.close();
  });
  const post = async (body: unknown) => {
    const res = await fetch(`${double.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-cache' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { usage: Record<string, number>; error?: { type: string; message: string } } };
  };

  test('usage carries cache_creation_input_tokens and cache_read_input_tokens as the API does', async () => {
    const req = request(bulkyTools(20));
    const first = await post(req);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body.usage).sort()).toEqual(['cache_creation_input_tokens', 'cache_read_input_tokens', 'input_tokens', 'output_tokens']);
    expect(first.body.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    const second = await post(req);
    expect(second.body.usage.cache_read_input_tokens).toBe(first.body.usage.cache_creation_input_tokens);
    expect(second.body.usage.cache_creation_input_tokens).toBe(0);
    expect(second.body.usage.output_tokens).toBe(first.body.usage.output_tokens);
  });

  test('a request with five breakpoints is a 400 invalid_request_error', async () => {
    const r = await post(request(bulkyTools(5).map((t) => ({ ...t, cache_control: ephemeral }))));
    expect(r.status).toBe(400);
    expect(r.body.error?.type).toBe('invalid_request_error');
  });
});
