/** Types of leftovers.mjs (plain JS so run-tests.mjs can import it without tsx). */
export function leftovers(root?: string, ignore?: Set<number>, waitMs?: number): Promise<{ pid: number; cmd: string }[]>;
