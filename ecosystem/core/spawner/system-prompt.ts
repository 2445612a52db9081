import { readFile } from 'node:fs/promises';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { recallMemories } from '../../modules/memory/store.ts';

export interface SystemPromptOptions {
  claudeMdPath: string;
  db: Pool;
  log: Logger;
  prompt: string;
  /** True when the memory module is active on this butler. */
  memoryActive: boolean;
  memoryLimit?: number;
}

/**
 * CLAUDE.md read afresh for every session (an edit applies to the next
 * session without a restart), plus the memories closest to the prompt when
 * the memory module is active. A recall failure only costs the context.
 */
export async function buildSystemPrompt(o: SystemPromptOptions): Promise<string> {
  let text: string;
  try {
    text = await readFile(o.claudeMdPath, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${o.claudeMdPath} for the session's system prompt: ${(err as Error).message}`);
  }
  if (!o.memoryActive) return text;
  try {
    const memories = await recallMemories(o.db, o.prompt, o.memoryLimit ?? 5);
    if (memories.length === 0) return text;
    const lines = memories.map((m) => `- ${m.content}${m.kind ? ` (${m.kind})` : ''}`);
    return `${text.trimEnd()}\n\n## Recalled memories\n\nStored memories that may be relevant to this request, closest first:\n${lines.join('\n')}\n`;
  } catch (err) {
    o.log.warn({ event: 'spawner.memory_recall_failed', error: (err as Error).message }, 'memory recall for the system prompt failed; continuing without it');
    return text;
  }
}
