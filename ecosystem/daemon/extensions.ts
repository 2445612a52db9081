import { routerExtension } from '../core/router/index.ts';
import { spawnerExtension } from '../core/spawner/index.ts';
import type { DaemonExtension } from '../core/extension.ts';

export type { DaemonExtension, ExtensionContext, ExtensionResult } from '../core/extension.ts';

/**
 * Extensions every daemon starts: the spawner (trigger, tick, sessions) on
 * every butler; the router only switches itself on in the switchboard.
 */
export const defaultExtensions: DaemonExtension[] = [spawnerExtension, routerExtension];
