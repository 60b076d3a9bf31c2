// What every compose command shares: the project flags, loading the model from them, and
// Compose v2's plain progress lines on stderr.
import { readFileSync } from 'node:fs';
import { loadProject, normalizeProjectName, type Progress, type Project } from '../../compose/index.js';
import type { CliContext } from '../context.js';

export interface ComposeGlobals {
  files: string[];
  projectName?: string;
  projectDirectory?: string;
  envFiles: string[];
  profiles: string[];
  ansi: string;
}

export type ComposeContext = CliContext & { compose: ComposeGlobals };

export function globals(ctx: CliContext): ComposeGlobals {
  return (ctx as ComposeContext).compose ?? { files: [], envFiles: [], profiles: [], ansi: 'auto' };
}

export function load(ctx: CliContext, o: { services?: string[]; existingOnly?: boolean } = {}): Project {
  const g = globals(ctx);
  return loadProject({
    files: g.files, projectName: g.projectName, projectDirectory: g.projectDirectory, envFiles: g.envFiles, profiles: g.profiles,
    services: o.services, existingOnly: o.existingOnly, cwd: process.cwd(), env: process.env, stdin: () => readFileSync(0, 'utf8'),
  });
}

/**
 * The project name for commands that work without a file (down, ps, logs, stop...):
 * from the model when files load; from -p / COMPOSE_PROJECT_NAME otherwise.
 */
export function projectOnly(ctx: CliContext): { name: string; model?: Project } {
  const g = globals(ctx);
  try {
    const model = load(ctx, { existingOnly: true });
    return { name: model.name, model };
  } catch (e) {
    const name = g.projectName ?? process.env.COMPOSE_PROJECT_NAME;
    if (name && !g.files.length && /no configuration file provided/.test((e as Error).message)) return { name: normalizeProjectName(name) };
    throw e;
  }
}

/** ` Container demo-web-1  Started`, one line per event, as compose v2's plain progress. */
export function progress(ctx: CliContext): Progress {
  return {
    event: (kind, name, status) => { ctx.stderr.write(` ${kind} ${name}  ${status}\n`); },
    note: (text) => { ctx.stderr.write(text); },
  };
}
