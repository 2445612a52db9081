import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { StartupError } from '../startup-error.ts';
import { formatIssue } from './format-issue.ts';
import { cliLayer, envLayer, mergeLayers, readTomlLayer, type ConfigLayer } from './layers.ts';
import { configSchema, type ButlerConfig } from './schema.ts';

/** Inputs of `loadConfig`; everything is explicit so unit tests need no process state. */
export interface LoadConfigOptions {
  rosterDir: string;
  overlayPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Parsed command-line options (`port`, `log-level`, `db-name`). */
  cli?: Record<string, string | undefined>;
  /** Base directory for the short names in messages; defaults to the working directory. */
  cwd?: string;
}

/** A validated config plus what startup needs to know about where it came from. */
export interface LoadedConfig {
  config: ButlerConfig;
  rosterDir: string;
  butlerToml: string;
  claudeMd: string;
  /** butler.toml as committed (no overlay, no environment): the input of secret detection. */
  committed: Record<string, unknown>;
}

/**
 * Reads defaults < butler.toml < overlay < environment < command line and
 * validates the result. Every problem is a `StartupError('config')` naming
 * the file (or variable), the key path and the allowed values.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const rosterDir = path.resolve(cwd, options.rosterDir);
  const folder = path.basename(rosterDir);
  const short = path.relative(cwd, rosterDir) || '.';
  const butlerToml = path.join(rosterDir, 'butler.toml');
  const home = `butler.toml (${short})`;
  if (!existsSync(rosterDir)) throw new StartupError('config', `roster folder ${short} does not exist; pass --roster roster/<name>`);
  if (!existsSync(butlerToml)) throw new StartupError('config', `${home} is missing; every roster folder needs a butler.toml`);

  const committedLayer = readTomlLayer(butlerToml, home);
  const layers: ConfigLayer[] = [committedLayer];
  if (options.overlayPath) {
    const overlay = path.resolve(cwd, options.overlayPath);
    layers.push(readTomlLayer(overlay, `overlay ${path.relative(cwd, overlay) || overlay}`));
  }
  layers.push(envLayer(options.env ?? {}), cliLayer(options.cli ?? {}));

  const parsed = configSchema.safeParse(mergeLayers(layers));
  if (!parsed.success) {
    const messages = parsed.error.issues.map((i) => formatIssue(i, configSchema as unknown as z.ZodTypeAny, layers, home));
    throw new StartupError('config', [...new Set(messages)].join('\n'));
  }
  const config = parsed.data;
  if (config.butler.name !== folder) {
    throw new StartupError(
      'config',
      `${home}: key butler.name must equal the folder name "${folder}", got "${config.butler.name}"; rename one of them`,
    );
  }
  const claudeMd = path.join(rosterDir, 'CLAUDE.md');
  if (!existsSync(claudeMd)) {
    throw new StartupError('config', `${path.join(short, 'CLAUDE.md')} is missing; every butler needs a CLAUDE.md with its system prompt`);
  }
  return { config, rosterDir, butlerToml, claudeMd, committed: committedLayer.values };
}
