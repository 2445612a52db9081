export * from './collector.ts';
export type { CollectedSpan, MetricPoint, SpanKindName } from './otlp-json.ts';
export * from './tree.ts';
