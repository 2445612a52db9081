// The price table lives in contracts/ so the ecosystem (which may import only
// contracts/) prices sessions with the same figures the cost reporter uses.
export * from '../contracts/prices.ts';
