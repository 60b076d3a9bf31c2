// Docker's (libnetwork's) wording for network errors, so scripts matching on them keep
// working. Kept here rather than in src/errdefs/messages.ts until the network layer is wired.

export const netMsg = {
  poolOverlap: () => 'Pool overlaps with other one on this address space',
  noDefaultPool: () =>
    'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  noDefaultPool6: () =>
    'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network',
  gatewayOutside: (gw: string) => `no matching subnet for gateway ${gw}`,
  rangeOutside: (range: string) => `no matching subnet for ip-range ${range}`,
  invalidAddress: (ip: string) => `Invalid address ${ip}: It does not belong to any of this network's subnets`,
  addressInUse: () => 'Address already in use',
  noAvailableAddress: () => 'No available addresses on this pool',
  portAllocated: (ip: string, port: number | string) => `Bind for ${ip}:${port} failed: port is already allocated`,
  /** Another program holds the port (Docker: its userland proxy could not listen). */
  portInUse: (proto: string, ip: string, port: number) =>
    `Error starting userland proxy: listen ${proto}${ip.includes(':') ? '6' : '4'} ${ip}:${port}: bind: address already in use`,
  noSuchNetworkPool: (id: string) => `network ${id} has no address pool`,
} as const;
