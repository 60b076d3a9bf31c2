// The resolved compose model: what `compose config` prints and what `up` reconciles.
// Services are in canonical form (long syntax everywhere, lists of KEY=VAL turned into
// maps, paths absolute), so merging, hashing and conversion to API bodies never look at
// short syntax. Keys keep the compose spec's snake_case spelling.

export type StrMap = Record<string, string>;

export interface PortConfig { name?: string; mode: string; host_ip?: string; target: number; published?: string; protocol: string; app_protocol?: string }

export interface VolumeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: string };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number; mode?: number };
}

export interface DependsOn { condition: 'service_started' | 'service_healthy' | 'service_completed_successfully'; required: boolean; restart?: boolean }

export interface ServiceNetwork { aliases?: string[]; ipv4_address?: string; ipv6_address?: string; priority?: number }

export interface BuildConfig { context: string; dockerfile: string; args?: Record<string, string | null>; target?: string; labels?: StrMap; no_cache?: boolean; network?: string; tags?: string[]; extra_hosts?: string[] }

export interface HealthCheck { test?: string[]; interval?: string; timeout?: string; retries?: number; start_period?: string; start_interval?: string; disable?: boolean }

export interface FileRef { source: string; target?: string; uid?: string; gid?: string; mode?: number }

/** A service after loading. Only `name` is not part of the compose file's own shape. */
export interface Service {
  name: string;
  profiles?: string[];
  build?: BuildConfig;
  cap_add?: string[];
  cap_drop?: string[];
  command: string[] | null;
  configs?: FileRef[];
  container_name?: string;
  depends_on?: Record<string, DependsOn>;
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: string; memory?: string; pids?: number }; reservations?: { cpus?: string; memory?: string } }; [k: string]: unknown };
  dns?: string[];
  entrypoint: string[] | null;
  environment?: Record<string, string | null>;
  expose?: string[];
  extra_hosts?: string[];
  hostname?: string;
  healthcheck?: HealthCheck;
  image?: string;
  init?: boolean;
  labels?: StrMap;
  logging?: { driver?: string; options?: StrMap };
  network_mode?: string;
  networks?: Record<string, ServiceNetwork | null>;
  ports?: PortConfig[];
  privileged?: boolean;
  pull_policy?: string;
  read_only?: boolean;
  restart?: string;
  scale?: number;
  secrets?: FileRef[];
  stdin_open?: boolean;
  stop_grace_period?: string;
  stop_signal?: string;
  tmpfs?: string[];
  tty?: boolean;
  ulimits?: Record<string, { single?: number; soft?: number; hard?: number }>;
  user?: string;
  volumes?: VolumeMount[];
  working_dir?: string;
  [k: string]: unknown;
}

export interface NetworkConfig { name: string; driver?: string; driver_opts?: StrMap; external?: boolean; internal?: boolean; attachable?: boolean; labels?: StrMap; ipam?: { driver?: string; config?: { subnet?: string; gateway?: string; ip_range?: string }[] }; enable_ipv6?: boolean }
export interface VolumeConfig { name: string; driver?: string; driver_opts?: StrMap; external?: boolean; labels?: StrMap }
export interface FileObject { name: string; file?: string; environment?: string; content?: string; external?: boolean }

export interface Project {
  name: string;
  /** Absolute project directory (`--project-directory`, else the first file's directory). */
  workingDir: string;
  /** Absolute paths of the files loaded, in order (`-` for stdin). */
  configFiles: string[];
  /** The environment interpolation saw: the process's, over the .env file's. */
  environment: StrMap;
  /** The `--env-file` files (absolute); empty when only the default .env was read (compose v2's environment_file label). */
  envFiles: string[];
  services: Record<string, Service>;
  /** Services left out by profiles (still known, so `down` does not call them orphans). */
  disabled: Record<string, Service>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObject>;
  configs: Record<string, FileObject>;
}

/** compose-go's field order for ServiceConfig (its JSON and YAML follow the struct). */
export const SERVICE_KEY_ORDER = [
  'profiles', 'annotations', 'attach', 'build', 'develop', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup_parent', 'cgroup',
  'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'cpuset', 'cpu_shares',
  'command', 'configs', 'container_name', 'credential_spec', 'depends_on', 'deploy', 'device_cgroup_rules', 'devices',
  'dns', 'dns_opt', 'dns_search', 'dockerfile', 'domainname', 'entrypoint', 'provider', 'environment', 'env_file', 'expose',
  'extends', 'external_links', 'extra_hosts', 'group_add', 'gpus', 'hostname', 'healthcheck', 'image', 'init', 'ipc',
  'isolation', 'labels', 'label_file', 'links', 'logging', 'log_driver', 'log_opt', 'mem_limit', 'mem_reservation',
  'memswap_limit', 'mem_swappiness', 'mac_address', 'models', 'net', 'network_mode', 'networks', 'oom_kill_disable',
  'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'privileged', 'pull_policy', 'read_only', 'restart', 'runtime',
  'scale', 'secrets', 'security_opt', 'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt',
  'sysctls', 'tmpfs', 'tty', 'ulimits', 'use_api_socket', 'user', 'userns_mode', 'uts', 'volume_driver', 'volumes',
  'volumes_from', 'working_dir', 'post_start', 'pre_stop',
] as const;

export const SERVICE_KEYS: ReadonlySet<string> = new Set<string>(SERVICE_KEY_ORDER);
