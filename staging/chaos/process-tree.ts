import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pausing a process tree with SIGSTOP/SIGCONT (Linux /proc). PostgreSQL is a
 * postmaster and one backend process per connection: stopping only the
 * postmaster refuses nothing (it just stops accepting) and leaves open
 * connections answering, so "the database is frozen" means every process of
 * the tree.
 */

/** Parent pid of a process from /proc/<pid>/stat, or undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may hold spaces or parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (not `root` itself), parents before children. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

const signal = (pid: number, sig: NodeJS.Signals): boolean => {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // exited in between
  }
};

export interface FrozenTree {
  /** The pids that were stopped, root first. */
  pids: number[];
  /** SIGCONT to every stopped pid (children first, the root last, so it finds its children running). Safe twice. */
  thaw(): void;
}

/**
 * Stops `root` first (so it forks nothing new), then every descendant.
 * Throws when `root` is not running or /proc is unavailable.
 */
export function freezeTree(root: number): FrozenTree {
  if (!signal(root, 'SIGSTOP')) throw new Error(`cannot pause pid ${root}: no such process (or not ours to signal)`);
  let kids: number[];
  try {
    kids = descendants(root);
  } catch (err) {
    signal(root, 'SIGCONT');
    throw new Error(`cannot list the children of pid ${root} (/proc unreadable: ${(err as Error).message}); pausing a process tree needs Linux /proc`);
  }
  const stopped = [root, ...kids.filter((pid) => signal(pid, 'SIGSTOP'))];
  let thawed = false;
  return {
    pids: stopped,
    thaw() {
      if (thawed) return;
      thawed = true;
      for (const pid of [...stopped].reverse()) signal(pid, 'SIGCONT');
    },
  };
}

/** The process state letter from /proc (`T` stopped, `S` sleeping, `R` running, `Z` zombie), or undefined when gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
