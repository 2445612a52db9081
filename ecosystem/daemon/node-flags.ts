/**
 * Node flags a daemon is started with (`node <flags> dist/daemon.mjs …`; the
 * harness's supervisor adds them, docs/ecosystem.md).
 *
 * `--max-semi-space-size=4` (MB; Node 20's default lets it grow to 16): a
 * daemon's young generation is for short-lived request garbage, and the
 * larger semi-spaces stayed resident. Measured with `npm run bench --
 * pipeline resources` on the 2-core VM: the switchboard's RSS 117-118 MB ->
 * 98 MB, the others 5-10 MB lower, with the per-call figures unchanged as
 * multiples of the floor (docs/performance.md, Resources).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
