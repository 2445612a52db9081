import { diag, DiagConsoleLogger, DiagLogLevel, metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * OpenTelemetry for one process (docs/ecosystem.md §15): spans and metrics
 * exported over OTLP/HTTP JSON to `OTEL_EXPORTER_OTLP_ENDPOINT`. Without an
 * endpoint nothing is exported and spans only carry trace context.
 */
export interface Telemetry {
  readonly service: string;
  /** True when an endpoint is set and spans are exported. */
  readonly exporting: boolean;
  readonly meter: Meter;
  /** Exports what is buffered now (spans and metrics); never throws. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes and stops exporting; never throws, bounded by `timeoutMs`. */
  shutdown(timeoutMs?: number): Promise<void>;
}

// On globalThis: roster tools are bundled apart from the daemon and carry their own copy of this module.
const KEY = Symbol.for('butlers.telemetry');
const slot = globalThis as unknown as Record<symbol, { telemetry: Telemetry; tracer: Tracer } | undefined>;

/** A non-negative number from an environment variable, or `fallback`. */
export const int = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
};

const bounded = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => setTimeout(r, ms).unref())]);

/**
 * Starts exporting for `service` (`butler-<name>` or `butler-<name>-session`).
 * Call once per process; a second call returns the first telemetry.
 */
/** A metrics pipeline for initTelemetry (./telemetry-metrics.ts); apart so a process without metrics never loads the metrics SDK. */
export interface MetricsPipeline {
  meter: Meter;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
export type MetricsFactory = (resource: Resource, endpoint: string, env: NodeJS.ProcessEnv) => MetricsPipeline;

/**
 * Without `opts.metrics` only spans are exported and `meter` is a no-op (the
 * session runtime records no metric: loading the metrics SDK and exporting an
 * empty batch at exit was part of every session's start and end).
 */
export function initTelemetry(service: string, env: NodeJS.ProcessEnv = process.env, opts: { metrics?: MetricsFactory } = {}): Telemetry {
  const current = slot[KEY];
  if (current) return current.telemetry;
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  if (!endpoint) {
    const telemetry: Telemetry = { service, exporting: false, meter: metrics.getMeter('butlers'), flush: async () => undefined, shutdown: async () => undefined };
    return telemetry;
  }
  // OTEL_LOG_LEVEL=debug|info|warn|error shows the SDK's own problems (a refused export, say) on stderr.
  const level = env.OTEL_LOG_LEVEL?.toUpperCase() as keyof typeof DiagLogLevel | undefined;
  if (level && level in DiagLogLevel) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel[level]);
  const resource = resourceFromAttributes({ 'service.name': service, 'process.pid': process.pid });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), {
        scheduledDelayMillis: int(env.OTEL_BSP_SCHEDULE_DELAY, 5000),
        maxExportBatchSize: 512,
        maxQueueSize: 4096,
      }),
    ],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const pipeline = opts.metrics?.(resource, endpoint, env);
  const telemetry: Telemetry = {
    service,
    exporting: true,
    meter: pipeline?.meter ?? metrics.getMeter('butlers'),
    flush: (ms = 3000) => bounded(Promise.all([tracerProvider.forceFlush(), pipeline?.forceFlush()]), ms),
    shutdown: (ms = 3000) => bounded(Promise.all([tracerProvider.shutdown(), pipeline?.shutdown()]), ms),
  };
  slot[KEY] = { telemetry, tracer: tracerProvider.getTracer('butlers') };
  return telemetry;
}

/** The exporting tracer of this process, or null when telemetry is off. */
export function activeTracer(): Tracer | null {
  return slot[KEY]?.tracer ?? null;
}

/** The meter of this process (a no-op meter when telemetry is off). */
export function meter(): Meter {
  return slot[KEY]?.telemetry.meter ?? metrics.getMeter('butlers');
}
