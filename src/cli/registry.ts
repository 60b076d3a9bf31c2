// Command names (and docker's management-command spellings) → lazy loaders.
import type { CliContext } from './context.js';
import type { CommandSpec, Parsed } from './flags.js';

export interface CommandModule {
  spec: CommandSpec;
  main(ctx: CliContext, p: Parsed): Promise<number>;
}

export type Loader = () => Promise<CommandModule>;

const L = {
  version: () => import('./commands/version.js'),
  info: () => import('./commands/info.js'),
  images: () => import('./commands/images.js'),
  import: () => import('./commands/import.js'),
  tag: () => import('./commands/tag.js'),
  rmi: () => import('./commands/rmi.js'),
  imageInspect: () => import('./commands/image-inspect.js'),
  inspect: () => import('./commands/inspect.js'),
  history: () => import('./commands/history.js'),
  save: () => import('./commands/save.js'),
  load: () => import('./commands/load.js'),
  imagePrune: () => import('./commands/image-prune.js'),
  export: () => import('./commands/export.js'),
  create: () => import('./commands/create.js'),
  start: () => import('./commands/start.js'),
  run: () => import('./commands/run.js'),
  ps: () => import('./commands/ps.js'),
  logs: () => import('./commands/logs.js'),
  attach: () => import('./commands/attach.js'),
  exec: () => import('./commands/exec.js'),
  top: () => import('./commands/top.js'),
  stop: () => import('./commands/stop.js'),
  kill: () => import('./commands/kill.js'),
  restart: () => import('./commands/restart.js'),
  pause: () => import('./commands/pause.js'),
  unpause: () => import('./commands/unpause.js'),
  wait: () => import('./commands/wait.js'),
  rename: () => import('./commands/rename.js'),
  rm: () => import('./commands/rm.js'),
  update: () => import('./commands/update.js'),
  stats: () => import('./commands/stats.js'),
  containerPrune: () => import('./commands/container-prune.js'),
  containerInspect: () => import('./commands/container-inspect.js'),
  events: () => import('./commands/events.js'),
  systemDf: () => import('./commands/system-df.js'),
  systemPrune: () => import('./commands/system-prune.js'),
  port: () => import('./commands/port.js'),
  networkLs: () => import('./commands/network-ls.js'),
  networkCreate: () => import('./commands/network-create.js'),
  networkInspect: () => import('./commands/network-inspect.js'),
  networkRm: () => import('./commands/network-rm.js'),
  networkPrune: () => import('./commands/network-prune.js'),
  networkConnect: () => import('./commands/network-connect.js'),
  networkDisconnect: () => import('./commands/network-disconnect.js'),
  volumeCreate: () => import('./commands/volume-create.js'),
  volumeLs: () => import('./commands/volume-ls.js'),
  volumeInspect: () => import('./commands/volume-inspect.js'),
  volumeRm: () => import('./commands/volume-rm.js'),
  volumePrune: () => import('./commands/volume-prune.js'),
  pull: () => import('./commands/pull.js'),
  push: () => import('./commands/push.js'),
  login: () => import('./commands/login.js'),
  logout: () => import('./commands/logout.js'),
  cp: () => import('./commands/cp.js'),
  diff: () => import('./commands/diff.js'),
  commit: () => import('./commands/commit.js'),
  build: () => import('./commands/build.js'),
  compose: () => import('./commands/compose.js'),
} satisfies Record<string, Loader>;

/** Top-level commands. */
export const topLevel: Record<string, Loader> = {
  version: L.version, info: L.info, images: L.images, import: L.import, tag: L.tag, rmi: L.rmi,
  inspect: L.inspect, history: L.history, save: L.save, load: L.load, export: L.export,
  create: L.create, start: L.start, run: L.run, ps: L.ps, logs: L.logs, attach: L.attach,
  exec: L.exec, top: L.top, stop: L.stop, kill: L.kill, restart: L.restart, pause: L.pause,
  unpause: L.unpause, wait: L.wait, rename: L.rename, rm: L.rm,
  update: L.update, stats: L.stats,
  events: L.events, port: L.port,
  pull: L.pull, push: L.push, login: L.login, logout: L.logout, build: L.build,
  cp: L.cp, diff: L.diff, commit: L.commit, compose: L.compose,
};

/** `docker image …`, `docker container …`, `docker system …`, `docker network …`. */
export const management: Record<string, Record<string, Loader>> = {
  image: {
    ls: L.images, list: L.images, import: L.import, tag: L.tag, rm: L.rmi, remove: L.rmi,
    inspect: L.imageInspect, history: L.history, save: L.save, load: L.load, prune: L.imagePrune,
    pull: L.pull, push: L.push, build: L.build,
  },
  container: {
    ls: L.ps, list: L.ps, ps: L.ps, export: L.export, create: L.create, start: L.start, run: L.run,
    logs: L.logs, attach: L.attach, exec: L.exec, top: L.top, stop: L.stop, kill: L.kill,
    restart: L.restart, pause: L.pause, unpause: L.unpause, wait: L.wait, rename: L.rename,
    update: L.update, stats: L.stats,
    rm: L.rm, remove: L.rm, prune: L.containerPrune, inspect: L.containerInspect, port: L.port,
    cp: L.cp, diff: L.diff, commit: L.commit,
  },
  volume: {
    create: L.volumeCreate, ls: L.volumeLs, list: L.volumeLs, inspect: L.volumeInspect,
    rm: L.volumeRm, remove: L.volumeRm, prune: L.volumePrune,
  },
  system: { df: L.systemDf, prune: L.systemPrune, events: L.events, info: L.info },
  network: {
    create: L.networkCreate, ls: L.networkLs, list: L.networkLs, inspect: L.networkInspect,
    rm: L.networkRm, remove: L.networkRm, prune: L.networkPrune,
    connect: L.networkConnect, disconnect: L.networkDisconnect,
  },
};
