import { test as base } from '@playwright/test';
import { startThrowawayCluster, type ThrowawayCluster } from '../../staging/testing/throwaway-cluster.ts';

export { expect } from '@playwright/test';

/**
 * One throwaway cluster per Playwright worker, shared by every roster test
 * file that worker runs; each file creates its own database in it.
 */
export const test = base.extend<object, { cluster: ThrowawayCluster }>({
  cluster: [
    async ({}, use) => {
      const cluster = await startThrowawayCluster();
      try {
        await use(cluster);
      } finally {
        await cluster.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});
