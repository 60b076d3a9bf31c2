#!/bin/bash
# Installs what wharf needs on Debian (bookworm) and builds it. Idempotent: packages
# already present are not fetched again, so the test script can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

# runc + conmon run containers; tini is --init; busybox-static makes the base image;
# iproute2 + nftables do networking; attr sets overlay's opaque-dir xattr on unpack;
# procps gives `ps` for `docker top`; gcc + libc6-dev build the setuid probe of the
# no-new-privileges test (busybox drops setuid by itself); docker-registry, skopeo,
# apache2-utils (htpasswd) and openssl serve the registry tests; debootstrap makes the debian
# base image (contrib/mkimage-debian.sh); docker-compose (v1, Python) checks that Debian's
# compose sees wharf's networks through the API; libcap2-bin's setcap/getcap check that a
# commit keeps file capabilities.
APT_PACKAGES=(runc conmon tini busybox-static iproute2 nftables attr procps tar xz-utils bzip2 zstd ca-certificates gcc libc6-dev docker-registry skopeo apache2-utils openssl debootstrap docker-compose python3-docker libcap2-bin)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: node-unix-socket names optional per-platform packages
  # that the registry does not have, which the lock file cannot record and `npm ci` refuses.
  echo "deps: npm install" >&2
  npm install --no-audit --no-fund >/dev/null
fi
npm run -s build
