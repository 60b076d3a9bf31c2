#!/bin/bash
# Fails when tests or benchmarks left container resources on the host: overlay mounts,
# runc containers, conmon processes, daemons, network namespaces, nft tables or cgroups.
# Only test resources count (names wharf-it-*, wharf-rt-test-*, wharf-bench-*, wharft*),
# so a user's own wharfd and its containers do not fail the suite.
set -u
TEST_NAMES='wharf-it-|wharf-rt-test-|wharf-test-|wharf-bench-|wharft'
leaks=0
report() { if [ -n "$2" ]; then echo "leak-check: $1:"; echo "$2" | sed 's/^/    /'; leaks=1; fi; }
report "overlay mounts" "$(grep -E '^overlay ' /proc/mounts | grep -E "$TEST_NAMES" || true)"
report "runc containers" "$(for r in /run/wharf-*/runc; do [ -d "$r" ] && runc --root "$r" list -q 2>/dev/null; done)"
# Exited conmons linger as zombies until PID 1 reaps them (late, on some machines):
# they hold nothing, so only live ones count.
report "conmon processes" "$(ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/ && $3 ~ /conmon$/' | grep -E "$TEST_NAMES" || true)"
report "test daemons" "$(pgrep -af 'wharfd' | grep -E "$TEST_NAMES" || true)"
report "network namespaces" "$(ip netns list 2>/dev/null | grep -E "$TEST_NAMES" || true)"
report "network links" "$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E "$TEST_NAMES" || true)"
report "nftables tables" "$(nft list tables 2>/dev/null | grep -E "$TEST_NAMES" || true)"
report "cgroups" "$(ls -d /sys/fs/cgroup/*/wharf-it-* /sys/fs/cgroup/*/wharf-rt-test-* /sys/fs/cgroup/*/wharf-test-* /sys/fs/cgroup/*/wharf-bench-* 2>/dev/null || true)"
report "test roots" "$(ls -d /run/wharf-it-* /tmp/wharf-it-* /tmp/wharf-bench-* /run/wharf-bench-* 2>/dev/null || true)"
if [ $leaks -eq 0 ]; then echo "leak-check: nothing left behind"; fi
exit $leaks
