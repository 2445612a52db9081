/** A registry entry as the classifier sees it. */
export interface ClassifierEntry {
  name: string;
  description: string;
  capabilities: string[];
}

/** Advisory routing preferences from the envelope (docs/ecosystem.md §8.1). */
export interface RoutingHints {
  preferred_butlers?: string[];
  exclude_butlers?: string[];
}

const INSTRUCTIONS = [
  'Classify the message below: decide which butler or butlers should handle it.',
  '',
  'The registry block lists the butlers that are active and may receive work, as a JSON list of',
  'objects with name, description and capabilities. Use only those names.',
  '',
  'Answer with a JSON array and nothing else. Each element is an object with exactly these keys:',
  '- "butler": the name of one butler from the registry;',
  '- "prompt": a self-contained request for that butler, in plain language, that it can act on without',
  '  seeing the rest of the message: replace pronouns with the names they refer to and keep numbers,',
  '  units, names, dates and quoted text exactly as written;',
  '- "segment": where the request came from in the message, an object with "sentence_spans" (a list of',
  '  [start, end] character ranges), "offsets" ({"start": n, "end": n}) and "rationale" (one short sentence',
  '  on why this butler).',
  '',
  'When the message needs several butlers, answer with one element per butler. When nothing specific',
  'fits, answer with a single element for "general" whose prompt is the whole message.',
].join('\n');

function hintsText(hints: RoutingHints | null | undefined, known: Set<string>): string | null {
  const preferred = (hints?.preferred_butlers ?? []).filter((b) => known.has(b));
  const excluded = hints?.exclude_butlers ?? [];
  const parts: string[] = [];
  if (preferred.length) parts.push(`the sender would prefer ${preferred.join(', ')} when they fit the message`);
  if (excluded.length) parts.push(`the sender would rather not involve ${excluded.join(', ')}`);
  return parts.length ? `Routing hints (advisory, the message content decides): ${parts.join('; ')}.` : null;
}

/**
 * The classification session's prompt (docs/ecosystem.md §8.2): instructions, the
 * eligible registry between registry tags, advisory hints, then the message
 * between message tags. The system prompt is the switchboard's CLAUDE.md,
 * which the spawner reads itself.
 */
export function classificationPrompt(entries: ClassifierEntry[], text: string, hints?: RoutingHints | null): string {
  const registry = JSON.stringify(
    entries.map((e) => ({ name: e.name, description: e.description, capabilities: e.capabilities })),
    null,
    2,
  );
  const hint = hintsText(hints, new Set(entries.map((e) => e.name)));
  return [INSTRUCTIONS, '', '<registry>', registry, '</registry>', ...(hint ? ['', hint] : []), '', '<message>', text, '</message>'].join('\n');
}
