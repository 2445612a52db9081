import type { FanoutPlan, SubrequestOutcome } from '@butlers/framework/contracts';

/** A successful reply that lost arbitration within its group. */
export interface Conflict {
  arbitration_group: string;
  subrequest_id: string;
  butler: string;
  winner_subrequest_id: string;
  winner_butler: string;
}

export interface Aggregate {
  text: string;
  method: 'none' | 'single' | 'synthesis' | 'concatenation';
  conflicts: Conflict[];
}

/** Runs the synthesis session; resolves to its output, or null when it failed. */
export type Synthesize = (prompt: string) => Promise<string | null>;

export const NO_RESPONSES = 'No butler responses were received.';
const RAN = new Set(['success', 'error', 'timeout', 'target_unavailable', 'target_quarantined']);

/**
 * Arbitration (docs/ecosystem.md §8.4): among successful outcomes sharing an
 * arbitration group, the highest priority wins and ties go to the
 * alphabetically first butler (then plan order); the losers leave the reply
 * and are listed as conflicts. Returns the outcomes that make up the reply, in plan order.
 */
export function arbitrate(plan: FanoutPlan, outcomes: SubrequestOutcome[]): { kept: SubrequestOutcome[]; conflicts: Conflict[] } {
  const bySub = new Map(plan.subrequests.map((s, i) => [s.subrequest_id, { s, i }]));
  const ran = outcomes.filter((o) => RAN.has(o.status));
  const groups = new Map<string, SubrequestOutcome[]>();
  for (const o of ran) {
    const group = bySub.get(o.subrequest_id)?.s.arbitration_group;
    if (o.status === 'success' && group) groups.set(group, [...(groups.get(group) ?? []), o]);
  }
  const losers = new Set<string>();
  const conflicts: Conflict[] = [];
  for (const [group, members] of groups) {
    if (members.length < 2) continue;
    const rank = (o: SubrequestOutcome) => bySub.get(o.subrequest_id)!;
    const [winner, ...rest] = [...members].sort(
      (a, b) =>
        rank(b).s.arbitration_priority - rank(a).s.arbitration_priority ||
        (a.butler < b.butler ? -1 : a.butler > b.butler ? 1 : 0) ||
        rank(a).i - rank(b).i,
    );
    for (const l of rest) {
      losers.add(l.subrequest_id);
      conflicts.push({ arbitration_group: group, subrequest_id: l.subrequest_id, butler: l.butler, winner_subrequest_id: winner.subrequest_id, winner_butler: winner.butler });
    }
  }
  const kept = ran.filter((o) => !losers.has(o.subrequest_id)).sort((a, b) => (bySub.get(a.subrequest_id)?.i ?? 0) - (bySub.get(b.subrequest_id)?.i ?? 0));
  return { kept, conflicts };
}

export function unavailableSentence(o: SubrequestOutcome): string {
  return `The ${o.butler} butler was unavailable (${o.error ?? o.status}).`;
}

export function concatenate(kept: SubrequestOutcome[]): string {
  return kept.map((o) => (o.status === 'success' ? `[${o.butler}] ${o.output ?? ''}` : `[${o.butler}] (unavailable: ${o.error ?? o.status})`)).join('\n\n');
}

export function synthesisPrompt(kept: SubrequestOutcome[]): string {
  const replies = kept.map((o) => (o.status === 'success' ? `${o.butler} replied:\n${o.output ?? ''}` : `${o.butler} was unavailable (${o.error ?? o.status}).`));
  return [
    "Several of the owner's butlers handled parts of one message. Combine their replies into one short, plain reply to the owner.",
    'Keep every fact, number and name; mention any butler that was unavailable; do not invent anything.',
    '',
    ...replies.flatMap((r) => [r, '']),
  ].join('\n').trimEnd();
}

/**
 * The dispatch reply (docs/ecosystem.md §8.4): none, one outcome as is, or several
 * synthesised by one session when enabled, else (or when it fails) concatenated
 * in plan order.
 */
export async function aggregate(plan: FanoutPlan, outcomes: SubrequestOutcome[], synthesize?: Synthesize): Promise<Aggregate> {
  const { kept, conflicts } = arbitrate(plan, outcomes);
  if (kept.length === 0) return { text: NO_RESPONSES, method: 'none', conflicts };
  if (kept.length === 1) {
    const [o] = kept;
    return { text: o.status === 'success' ? (o.output ?? '') : unavailableSentence(o), method: 'single', conflicts };
  }
  if (synthesize) {
    const text = await synthesize(synthesisPrompt(kept)).catch(() => null);
    if (text !== null && text.trim() !== '') return { text, method: 'synthesis', conflicts };
  }
  return { text: concatenate(kept), method: 'concatenation', conflicts };
}
