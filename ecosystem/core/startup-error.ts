/** Phases a fatal startup problem is reported under (`butler.startup_failed`). */
export type StartupPhase = 'config' | 'database' | 'migration' | 'server';

/** A fatal startup problem: the daemon logs it with its phase and exits non-zero. */
export class StartupError extends Error {
  readonly phase: StartupPhase;
  constructor(phase: StartupPhase, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
    this.phase = phase;
  }
}
