// The ecosystem a worker boots: phases in staging/ecosystem/boot.ts, ad-hoc
// butlers in ad-hoc.ts, the handle types in types.ts.
export { bootEcosystem } from './ecosystem/boot.ts';
export type { AdHocButler, AdHocOptions, BootFailure, BootOptions, Ecosystem } from './ecosystem/types.ts';
export { withDatabase } from './postgres/urls.ts';
