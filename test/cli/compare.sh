#!/bin/bash
# Runs the same commands with the real `docker` CLI and with `wharf` against one daemon
# (DOCKER_HOST: the reference dockerd, or wharfd) and compares stdout, stderr and exit
# codes after normalising IDs, times and the program name. One command per case, so a
# failure points at one command (nerdctl's habit).
#   DOCKER_HOST=unix:///path/docker.sock test/cli/compare.sh [path/to/wharf.js]
# Needs an image `busybox` in the daemon. Prints "N passed, M failed".
set -u
WHARF=${1:-$(dirname "$0")/../../dist/wharf.js}
: "${DOCKER_HOST:?set DOCKER_HOST to the daemon under test}"
PFX=wharfcmp$$
pass=0; fail=0

norm() {
  sed -E -e 's/\b[0-9a-f]{64}\b/<ID64>/g' -e 's/\b[0-9a-f]{12}\b/<ID12>/g' \
    -e 's/(Less than a second|1 second|[0-9]+ seconds|About a minute|[0-9]+ minutes|About an hour|[0-9]+ hours) ago/<AGO>/g' \
    -e 's/Up (Less than a second|1 second|[0-9]+ seconds|About a minute|[0-9]+ minutes)/Up <DUR>/g' \
    -e 's/Error response from daemon: (Get "https:.*|No such image: .*)/Error response from daemon: <NO IMAGE, NO PULL>/' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]+( \+0000 UTC|Z)?/<TIME>/g' \
    -e "s/\bwharf\b/docker/g" -e "s/$PFX-[a-z0-9]+/<NAME>/g" |
  # Column widths follow the normalised cell lengths, so squeeze runs of spaces.
  sed -E 's/ {2,}/  /g'
}

# check "description" args...: same args to both CLIs. IN=file feeds stdin to each;
# PRE="shell command" runs before each (for commands with side effects, like rmi).
check() {
  local what=$1; shift
  local d w in=${IN:-/dev/null}
  [ -n "${PRE:-}" ] && eval "$PRE" >/dev/null 2>&1
  d=$(docker "$@" <"$in" 2>/tmp/$PFX.derr; echo "rc=$?"); d+=$'\n'$(cat /tmp/$PFX.derr)
  [ -n "${PRE:-}" ] && eval "$PRE" >/dev/null 2>&1
  w=$(node "$WHARF" "$@" <"$in" 2>/tmp/$PFX.werr; echo "rc=$?"); w+=$'\n'$(cat /tmp/$PFX.werr)
  if diff <(norm <<<"$d") <(norm <<<"$w") >/tmp/$PFX.diff; then
    pass=$((pass + 1)); echo "ok   $what"
  else
    fail=$((fail + 1)); echo "FAIL $what"; sed 's/^/     /' /tmp/$PFX.diff
  fi
}

cleanup() {
  docker rm -f $(docker ps -aq --filter "label=$PFX") >/dev/null 2>&1
  docker rmi -f $PFX/tagged:v1 >/dev/null 2>&1
  rm -f /tmp/$PFX.*
}
trap cleanup EXIT

docker run -d --name $PFX-web -l $PFX=1 -l a=b busybox sleep 1000 >/dev/null
docker run --name $PFX-ex -l $PFX=1 busybox sh -c 'echo out; echo err >&2; exit 3' >/dev/null 2>&1
docker create --name $PFX-cr -l $PFX=1 busybox true >/dev/null

check 'ps' ps --filter label=$PFX
check 'ps -a' ps -a --filter label=$PFX
check 'ps -a -s' ps -a -s --filter label=$PFX
check 'ps -a --no-trunc' ps -a --no-trunc --filter label=$PFX
check 'ps -q' ps -aq --filter label=$PFX
check 'ps table Label' ps --filter label=$PFX --format 'table {{.ID}}\t{{.Names}}\t{{.Label "a"}}'
check 'ps json' ps --filter label=$PFX --format '{{json .}}'
check 'ps status filter' ps -a --filter label=$PFX --filter status=exited --format '{{.Names}} {{.State}}'
check 'images' images busybox
check 'images --digests' images --digests busybox
check 'images -q' images -q busybox
check 'images json' images --format '{{json .}}' busybox
check 'images reference filter' images --filter reference=busybox
check 'history' history busybox
check 'inspect format' inspect --format '{{.State.Running}} {{json .Config.Labels}} {{index .Config.Labels "a"}} {{.Name}} {{len .Config.Cmd}}' $PFX-web
check 'inspect image type' inspect --type image --format '{{.Os}} {{.Architecture}}' busybox
check 'inspect missing' inspect ${PFX}nosuch
check 'image inspect missing' image inspect ${PFX}nosuch
check 'container inspect json' container inspect --format '{{json .Config.Cmd}}' $PFX-ex
check 'top' top $PFX-web
check 'logs' logs $PFX-ex
check 'logs --tail' logs --tail 1 $PFX-ex
check 'run exit code + streams' run --rm busybox sh -c 'echo o; echo e >&2; exit 5'
check 'run env/workdir/user/hostname' run --rm -e A=1 -w /tmp -u 1:2 -h hh busybox sh -c 'echo $A $(pwd) $(id -u):$(id -g) $(hostname)'
check 'run --entrypoint' run --rm --entrypoint echo busybox hi there
check 'run flags after image belong to the command' run --rm busybox echo -n --rm
IN=/etc/hostname check 'run stdin' run --rm -i busybox cat
check 'run unknown flag' run --foo busybox
check 'run missing arg' run -e
check 'run 127' run --rm busybox nosuchcmd
check 'run 126' run --rm busybox /etc
check 'run missing image' run ${PFX}nosuchimage
check 'exec' exec $PFX-web sh -c 'echo hi; exit 4'
IN=/etc/hostname check 'exec -i' exec -i $PFX-web cat
check 'exec -e -w' exec -e X=y -w /tmp $PFX-web sh -c 'echo $X $(pwd)'
check 'stop missing' stop ${PFX}nosuch
check 'rm running' rm $PFX-web
check 'kill bad signal' kill -s FOO $PFX-web
check 'stop arity' stop
check 'rename arity' rename a
check 'start -a' start -a $PFX-cr
check 'wait' wait $PFX-ex
check 'unknown command' nosuchcommand
PRE="docker rmi $PFX/tagged:v1" check 'tag' tag busybox $PFX/tagged:v1
check 'images after tag' images $PFX/tagged
PRE="docker tag busybox $PFX/tagged:v1" check 'rmi' rmi $PFX/tagged:v1
check 'rmi missing' rmi ${PFX}/nosuch

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
