#!/bin/bash
# Builds a Debian bookworm (minbase) root file system with debootstrap, from the apt mirror
# this machine already uses, and writes it as a tar (or imports it as an image), like
# Docker's contrib/mkimage/debootstrap.
#
#   contrib/mkimage-debian.sh -o debian.tar                        # just the rootfs tar
#   contrib/mkimage-debian.sh --import debian:bookworm --tag debian:latest
#   contrib/mkimage-debian.sh --cache /var/cache/wharf --import debian:bookworm
#
# --cache DIR keeps the finished tar in DIR (debian-<suite>-minbase.tar) and reuses it on the
# next call: debootstrap takes a minute or more, the import a second.
# The mirror is read at run time from /etc/apt/sources.list and /etc/apt/sources.list.d/
# (one-line and deb822 formats): the first `deb` source that carries the suite. It is never
# hard-coded; MIRROR=URL overrides it. The image's own /etc/apt/sources.list names the same
# mirror, so `apt-get update` inside a container reaches what the host reaches.
set -euo pipefail

suite=bookworm out="" images=() cache="" client="${WHARF_CLIENT:-wharf}"
usage() { echo "usage: $0 [-o FILE.tar] [--import NAME[:TAG]] [--tag NAME[:TAG]]... [--cache DIR] [--suite SUITE] [--client wharf|docker]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    --import|--tag) images+=("$2"); shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --client) client=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$out" ] || [ ${#images[@]} -gt 0 ] || usage

# Prints the first mirror URI whose source lists $suite (one-line `deb URI SUITE ...` lines,
# then deb822 stanzas with Types/URIs/Suites fields). Options in [brackets] are skipped.
find_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      if ($(i+1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # Stanzas are separated by blank lines; a stanza with Enabled: no is skipped.
    awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
      { types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/) continue
          split($i, kv, ":[ \t]*"); key = tolower(kv[1]); val = substr($i, length(kv[1]) + 2); sub(/^[ \t]+/, "", val)
          if (key == "types") types = val; else if (key == "uris") uris = val
          else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val)
        }
        if (enabled == "no" || (" " types " ") !~ / deb /) next
        n = split(suites, ss, /[ \t]+/)
        for (j = 1; j <= n; j++) if (ss[j] == s) { split(uris, us, /[ \t]+/); print us[1]; exit }
      }' "$f"
  done
}

build_tar() { # $1: the tar to write
  command -v debootstrap >/dev/null || { echo "$0: debootstrap missing: apt-get install debootstrap" >&2; exit 1; }
  local mirror="${MIRROR:-$(find_mirror | head -n1)}"
  [ -n "$mirror" ] || { echo "$0: no deb source for $suite in /etc/apt/sources.list{,.d/}; set MIRROR=URL" >&2; exit 1; }
  root=$(mktemp -d)
  echo "mkimage-debian: debootstrap --variant=minbase $suite from $mirror" >&2
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; exit 1; }
  rm -f "$root.log"

  # What Docker's mkimage does for a container base: no daemons started by package scripts,
  # no apt caches in the image, and none kept after later installs either.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root/etc/hostname" "$root/etc/resolv.conf"
  # The runtime supplies /dev, /proc and /sys; device nodes do not belong in a layer.
  umount -R "$root/proc" "$root/sys" 2>/dev/null || true
  rm -rf "$root/dev" "$root/proc" "$root/sys"
  mkdir -p "$root/dev" "$root/proc" "$root/sys"

  # Fixed order and numeric owners; temp name + rename so a cache never holds half a tar.
  tar --sort=name --numeric-owner --xattrs -C "$root" -cf "$1.tmp" .
  mv "$1.tmp" "$1"
  rm -rf "$root"
  root=""
}

# debootstrap mounts /proc and /sys inside the target while it works; unmount before removal.
root="" tmpdir=""
cleanup() {
  if [ -n "$root" ]; then umount -R "$root/proc" "$root/sys" 2>/dev/null || true; rm -rf "$root" "$root.log"; fi
  if [ -n "$tmpdir" ]; then rm -rf "$tmpdir"; fi
}
trap cleanup EXIT

tarfile=""
if [ -n "$cache" ]; then
  mkdir -p "$cache"
  tarfile="$cache/debian-$suite-minbase.tar"
  [ -s "$tarfile" ] || build_tar "$tarfile"
elif [ -n "$out" ]; then
  tarfile="$out"
  build_tar "$tarfile"
else
  tmpdir=$(mktemp -d)
  tarfile="$tmpdir/rootfs.tar"
  build_tar "$tarfile"
fi
if [ -n "$out" ] && [ "$out" != "$tarfile" ]; then cp "$tarfile" "$out"; fi

if [ ${#images[@]} -gt 0 ]; then
  "$client" import --change 'CMD ["bash"]' "$tarfile" "${images[0]}"
  for extra in "${images[@]:1}"; do "$client" tag "${images[0]}" "$extra"; done
fi
