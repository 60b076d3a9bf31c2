// Docker's defaults for the parts of the OCI spec wharf fills in today. Kept as data in one
// place so a reader can diff them against moby's `oci/defaults.go` and the engine's
// `daemon/oci_linux.go`.

import type { OciDevice, OciDeviceCgroup, OciMount } from './spec_types.js';

export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's default capability set (moby `oci/caps/defaults.go`). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts', // Docker 28: thermal interrupt counts leak host activity
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
] as const;

export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

/** 64 MiB, Docker's default --shm-size. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${DEFAULT_SHM_SIZE}`],
    },
  ];
}

function charDevice(path: string, major: number, minor: number): OciDevice {
  return { path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 };
}

/**
 * Device nodes created in the container's /dev. runc would add these same six on its own;
 * listing them keeps the spec self-describing. /dev/ptmx is not here: runc makes it a
 * symlink to /dev/pts/ptmx of the container's own devpts instance.
 */
export function defaultDevices(): OciDevice[] {
  return [
    charDevice('/dev/null', 1, 3),
    charDevice('/dev/zero', 1, 5),
    charDevice('/dev/full', 1, 7),
    charDevice('/dev/random', 1, 8),
    charDevice('/dev/urandom', 1, 9),
    charDevice('/dev/tty', 5, 0),
  ];
}

/**
 * Device cgroup rules: deny everything, then allow what an unprivileged Docker container
 * gets (runc's `specconv.AllowedDevices`, which moby applies too): mknod of any device,
 * the six default nodes, the console, ptys and /dev/net/tun.
 */
export function defaultDeviceCgroupRules(): OciDeviceCgroup[] {
  const allow = (type: 'c' | 'b', major: number | undefined, minor: number | undefined, access: string): OciDeviceCgroup => ({
    allow: true,
    type,
    ...(major === undefined ? {} : { major }),
    ...(minor === undefined ? {} : { minor }),
    access,
  });
  return [
    { allow: false, access: 'rwm' },
    allow('c', undefined, undefined, 'm'),
    allow('b', undefined, undefined, 'm'),
    allow('c', 1, 3, 'rwm'), // null
    allow('c', 1, 5, 'rwm'), // zero
    allow('c', 1, 7, 'rwm'), // full
    allow('c', 1, 8, 'rwm'), // random
    allow('c', 1, 9, 'rwm'), // urandom
    allow('c', 5, 0, 'rwm'), // tty
    allow('c', 5, 1, 'rwm'), // console
    allow('c', 5, 2, 'rwm'), // ptmx
    allow('c', 136, undefined, 'rwm'), // /dev/pts/*
    allow('c', 10, 200, 'rwm'), // /dev/net/tun
  ];
}
