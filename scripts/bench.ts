// `npm run bench [-- <suite>…] [--update-baseline]`: the bench lives in bench/
// (main.ts, suites.ts, stats.ts); docs/performance.md, "The bench".
import { main } from '../bench/main.ts';
import { BenchInputError } from '../bench/stats.ts';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Bad input is one sentence; anything else is one line too (set E2E_BENCH_DEBUG=1 for the stack).
    const message = err instanceof Error ? err.message : String(err);
    console.error(err instanceof BenchInputError ? message : `bench failed: ${message}`);
    if (process.env.E2E_BENCH_DEBUG === '1' && err instanceof Error) console.error(err.stack);
    process.exit(2);
  },
);
