// `npm run staging`: boots one ecosystem, prints how to reach it, and holds it
// open until Ctrl-C. Specs attach to it with E2E_REUSE=1 (single worker).
import { bootEcosystem } from '../staging/ecosystem.ts';
import { describeEcosystem } from '../staging/describe.ts';
import { currentRunStamp, prepareRunLog } from '../staging/run-log.ts';
import { removeStagingState, stateFilePath, writeStagingState } from '../staging/state-file.ts';

async function main(): Promise<void> {
  prepareRunLog(currentRunStamp());
  const eco = await bootEcosystem({ progress: (l) => console.log(l) });
  console.log(describeEcosystem(eco));
  writeStagingState(eco);
  console.log(`\nheld open; state in ${stateFilePath()}`);
  console.log('  run specs against it:  E2E_REUSE=1 npx playwright test --project=smoke --workers=1');
  console.log('  inspect a butler:      npx @modelcontextprotocol/inspector  (URL http://127.0.0.1:8103/mcp)');
  console.log('  stop:                  Ctrl-C');
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${sig}: tearing the ecosystem down…`);
    removeStagingState();
    await eco.close();
    console.log('stopped; nothing left running');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  setInterval(() => {}, 1 << 30);
}

main().catch((err) => {
  console.error(`staging failed: ${(err as Error).message}`);
  process.exit(1);
});
