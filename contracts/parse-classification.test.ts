import { expect, test } from '@playwright/test';
import { ClassificationOutcome, classificationFallback, parseClassification, type RegistryEligibility } from './index.ts';

const registry: RegistryEligibility[] = [
  { name: 'health', eligibility_state: 'active', routable: true },
  { name: 'relationship', eligibility_state: 'active', routable: true },
  { name: 'general', eligibility_state: 'active', routable: true },
  { name: 'messenger', eligibility_state: 'quarantined', routable: true },
  { name: 'heartbeat', eligibility_state: 'active', routable: false },
];
const text = 'Log weight 80kg  and call mum ';
const health = { butler: 'health', prompt: 'Log weight 80kg', segment: { rationale: 'weight' } };
const parse = (raw: string) => parseClassification(raw, registry, text);
const fallbackEntry = (reason: string) => ({ butler: 'general', prompt: text, segment: { rationale: `fallback: ${reason}` } });

test.describe('parseClassification', () => {
  test('a plain JSON array of valid entries passes through', () => {
    const result = parse(JSON.stringify([health]));
    expect(result).toEqual({ entries: [health], fallback: false, warnings: [] });
    expect(ClassificationOutcome.safeParse(result).success).toBe(true);
  });

  test('code fences are stripped', () => {
    expect(parse('```json\n' + JSON.stringify([health]) + '\n```').entries).toEqual([health]);
    expect(parse('Here:\n```\n' + JSON.stringify([health]) + '```\nDone').entries).toEqual([health]);
  });

  test('prose around the array: the outermost [...] substring is used', () => {
    const result = parse(`Sure! Here is the routing: ${JSON.stringify([health])} Hope that helps.`);
    expect(result).toEqual({ entries: [health], fallback: false, warnings: [] });
    const tricky = { ...health, prompt: 'Log weight [80kg]' };
    expect(parse(`Routing: ${JSON.stringify([tricky])} (see [1] for details)`).entries).toEqual([tricky]);
    const nested = { ...health, segment: { sentence_spans: [[0, 15]] } };
    expect(parse(`Answer: ${JSON.stringify([nested])} -- end`).entries).toEqual([nested]);
  });

  test('garbage falls back with parse_error and the original text unchanged', () => {
    for (const raw of ['Sure! I think this is about health.', '{"butler":"health"}', '[not json]', '']) {
      expect(parse(raw), raw).toEqual({ entries: [fallbackEntry('parse_error')], fallback: true, fallback_reason: 'parse_error', warnings: [] });
    }
  });

  test('[] falls back with empty', () => {
    expect(parse('[]')).toEqual({ entries: [fallbackEntry('empty')], fallback: true, fallback_reason: 'empty', warnings: [] });
  });

  test('extra keys (confidence) are dropped from entries and segments', () => {
    const raw = JSON.stringify([{ ...health, confidence: 0.9, segment: { rationale: 'weight', score: 1, offsets: { start: 0, end: 15 } } }]);
    const [entry] = parse(raw).entries;
    expect(entry).toEqual({ butler: 'health', prompt: 'Log weight 80kg', segment: { rationale: 'weight', offsets: { start: 0, end: 15 } } });
    expect('confidence' in entry).toBe(false);
  });

  test('missing segment skips the entry; {} segment is accepted with segment_missing_metadata', () => {
    const raw = JSON.stringify([
      { butler: 'health', prompt: 'Log weight 80kg' },
      { butler: 'relationship', prompt: 'Call mum', segment: {} },
    ]);
    expect(parse(raw)).toEqual({
      entries: [{ butler: 'relationship', prompt: 'Call mum', segment: {} }],
      fallback: false,
      warnings: [
        { code: 'entry_missing_keys', index: 0 },
        { code: 'segment_missing_metadata', index: 1, butler: 'relationship' },
      ],
    });
  });

  test('unknown butler is skipped with unknown_butler; the valid entry survives', () => {
    const result = parse(JSON.stringify([{ butler: 'nonexistent', prompt: 'x', segment: { rationale: 'r' } }, health]));
    expect(result).toEqual({ entries: [health], fallback: false, warnings: [{ code: 'unknown_butler', index: 0, butler: 'nonexistent' }] });
  });

  test('quarantined or non-routable butlers are ineligible; nothing left means no_valid_entries', () => {
    const raw = JSON.stringify([
      { butler: 'messenger', prompt: 'Notify me', segment: { rationale: 'n' } },
      { butler: 'heartbeat', prompt: 'Tick', segment: { rationale: 't' } },
    ]);
    expect(parse(raw)).toEqual({
      entries: [fallbackEntry('no_valid_entries')],
      fallback: true,
      fallback_reason: 'no_valid_entries',
      warnings: [
        { code: 'ineligible_butler', index: 0, butler: 'messenger' },
        { code: 'ineligible_butler', index: 1, butler: 'heartbeat' },
      ],
    });
  });

  test('empty or blank prompt is skipped with empty_prompt', () => {
    const raw = JSON.stringify([{ ...health, prompt: '' }, { ...health, prompt: '  ' }, { ...health, prompt: 7 }, health]);
    const result = parse(raw);
    expect(result.entries).toEqual([health]);
    expect(result.warnings).toEqual([0, 1, 2].map((index) => ({ code: 'empty_prompt', index, butler: 'health' })));
  });

  test('non-object elements are entry_missing_keys', () => {
    const result = parse(JSON.stringify(['health', null, [1], health]));
    expect(result.warnings.map((w) => `${w.code}@${w.index}`)).toEqual(['entry_missing_keys@0', 'entry_missing_keys@1', 'entry_missing_keys@2']);
    expect(result.entries).toEqual([health]);
  });

  test('classificationFallback builds the llm_error and timeout outcomes', () => {
    for (const reason of ['llm_error', 'timeout'] as const) {
      expect(classificationFallback(text, reason)).toEqual({ entries: [fallbackEntry(reason)], fallback: true, fallback_reason: reason, warnings: [] });
    }
  });

  test('CON-47 contract examples: every example classifier answer gives the stated outcome', () => {
    const examples: [string, string, string | null, string[]][] = [
      ['CON-14 prose', 'Sure! I think this is about health.', 'parse_error', []],
      ['CON-15 empty', '[]', 'empty', []],
      ['CON-16 unknown + health', JSON.stringify([{ butler: 'nonexistent', prompt: 'p', segment: { rationale: 'r' } }, health]), null, ['unknown_butler']],
      ['CON-17 confidence', JSON.stringify([{ ...health, confidence: 0.9 }]), null, []],
      ['CON-18 missing/empty segment', JSON.stringify([{ butler: 'health', prompt: 'p' }, { butler: 'health', prompt: 'p', segment: {} }]), null, ['entry_missing_keys', 'segment_missing_metadata']],
      ['CON-19 quarantined only', JSON.stringify([{ butler: 'messenger', prompt: 'p', segment: { rationale: 'r' } }]), 'no_valid_entries', ['ineligible_butler']],
      ['CON-20 empty prompt', JSON.stringify([{ ...health, prompt: '' }, health]), null, ['empty_prompt']],
    ];
    for (const [name, raw, reason, warnings] of examples) {
      const result = parse(raw);
      expect(result.fallback_reason ?? null, name).toBe(reason);
      expect(result.fallback, name).toBe(reason !== null);
      expect(result.warnings.map((w) => w.code), name).toEqual(warnings);
    }
  });
});
