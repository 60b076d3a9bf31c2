#!/bin/bash
# Fails when tests left container resources on the host: overlay mounts, runc
# containers, conmon processes, test daemons, network namespaces or wharf cgroups.
set -u
leaks=0
report() { if [ -n "$2" ]; then echo "leak-check: $1:"; echo "$2" | sed 's/^/    /'; leaks=1; fi; }
report "overlay mounts" "$(grep -E '^overlay ' /proc/mounts | grep -E 'wharf' || true)"
report "runc containers" "$(for r in /run/wharf*/runc; do [ -d "$r" ] && runc --root "$r" list -q 2>/dev/null; done)"
# Exited conmons linger as zombies until PID 1 reaps them (late, on some machines):
# they hold nothing, so only live ones count.
report "conmon processes" "$(ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/ && $3 ~ /conmon$/' || true)"
report "wharfd processes" "$(pgrep -af 'wharfd\.js' | grep -v leak-check || true)"
report "network namespaces" "$(ip netns list 2>/dev/null | grep -i wharf || true)"
report "cgroups" "$(ls -d /sys/fs/cgroup/*/wharf-it-* /sys/fs/cgroup/*/wharf-rt-test-* /sys/fs/cgroup/*/wharf-test-* 2>/dev/null || true)"
report "test roots" "$(ls -d /run/wharf-it-* /tmp/wharf-it-* 2>/dev/null || true)"
if [ $leaks -eq 0 ]; then echo "leak-check: nothing left behind"; fi
exit $leaks
