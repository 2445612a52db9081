import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { int, type MetricsPipeline } from './telemetry.ts';

/** Metrics over OTLP/HTTP to `<endpoint>/v1/metrics`, every OTEL_METRIC_EXPORT_INTERVAL ms (60 s by default), for initTelemetry. */
export function otlpMetrics(resource: Resource, endpoint: string, env: NodeJS.ProcessEnv): MetricsPipeline {
  const provider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
        exportIntervalMillis: Math.max(100, int(env.OTEL_METRIC_EXPORT_INTERVAL, 60_000)),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(provider);
  return { meter: provider.getMeter('butlers'), forceFlush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}
