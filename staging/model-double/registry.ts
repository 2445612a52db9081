// Reads the classification prompt the switchboard writes: a JSON registry list
// between <registry> tags and the user's message between <message> tags.
import { type Phrase, toPhrase, tokenize } from './text.ts';

/** One routable butler as the classification prompt describes it. */
export interface RegistryEntry {
  name: string;
  description: string;
  capabilities: string[];
}

/** What a classification request carries: the registry and the message to split. */
export interface ClassificationInput {
  registry: RegistryEntry[];
  message: string;
}

/** A registry entry reduced to what scoring compares. */
export interface EntryVocabulary {
  name: string;
  capabilities: Phrase[];
  /** Stems of the description words and of the name itself. */
  words: string[];
}

function lastBlock(text: string, tag: string): string[] {
  // The content may not contain another opening tag: a prose mention of "<tag>" must not swallow the data.
  const re = new RegExp(`<${tag}>((?:(?!<${tag}>)[\\s\\S])*?)</${tag}>`, 'g');
  return [...text.matchAll(re)].map((m) => m[1]).reverse();
}

function toEntry(value: unknown): RegistryEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string' || v.name.trim() === '') return null;
  const caps = Array.isArray(v.capabilities)
    ? v.capabilities.filter((c): c is string => typeof c === 'string')
    : typeof v.capabilities === 'string'
      ? v.capabilities.split(/[,;\n]/)
      : [];
  return {
    name: v.name.trim(),
    description: typeof v.description === 'string' ? v.description : '',
    capabilities: caps.map((c) => c.trim()).filter((c) => c !== ''),
  };
}

function parseRegistry(body: string): RegistryEntry[] | null {
  try {
    const parsed: unknown = JSON.parse(body.trim());
    const list = Array.isArray(parsed)
      ? parsed
      : typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { entries?: unknown }).entries)
        ? (parsed as { entries: unknown[] }).entries
        : null;
    if (!list) return null;
    return list.map(toEntry).filter((e): e is RegistryEntry => e !== null);
  } catch {
    return null;
  }
}

/**
 * The classification input when `text` holds both blocks, else null. When a
 * tag occurs more than once (instructions may mention it), the last block that
 * parses wins, because the data follows the instructions.
 */
export function readClassificationInput(text: string): ClassificationInput | null {
  const registryBlocks = lastBlock(text, 'registry');
  const messageBlocks = lastBlock(text, 'message');
  if (registryBlocks.length === 0 || messageBlocks.length === 0) return null;
  let registry: RegistryEntry[] = [];
  for (const block of registryBlocks) {
    const parsed = parseRegistry(block);
    if (parsed) {
      registry = parsed;
      break;
    }
  }
  return { registry, message: messageBlocks[0].trim() };
}

export function vocabulary(entry: RegistryEntry): EntryVocabulary {
  const words = tokenize(`${entry.name.replace(/[_-]/g, ' ')} ${entry.description}`)
    .filter((t) => t.content)
    .map((t) => t.stem);
  return {
    name: entry.name,
    capabilities: entry.capabilities.map(toPhrase).filter((p) => p.stems.length > 0),
    words: [...new Set(words)],
  };
}

/**
 * The entry that takes clauses matching nothing: one that calls itself the
 * catch-all ("everything else"), else the spec's documented fallback
 * `general`, else one that mentions being a fallback.
 */
export function fallbackButler(registry: RegistryEntry[]): string {
  const says = (re: RegExp) => registry.find((e) => re.test(`${e.description} ${e.capabilities.join(' ')}`));
  const catchAll = says(/\b(everything else|anything else|catch[- ]?all)\b/i);
  if (catchAll) return catchAll.name;
  if (registry.some((e) => e.name === 'general')) return 'general';
  return says(/\bfallback\b/i)?.name ?? 'general';
}
