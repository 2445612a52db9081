export * from './traceparent.ts';
export * from './span.ts';
