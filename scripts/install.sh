#!/bin/bash
# The README's first command: install, build, start wharfd, make the busybox base image
# and run the quickstart. Run as root on Debian bookworm.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
ln -sf "$PWD/dist/wharf.js" /usr/local/bin/wharf
ln -sf "$PWD/dist/wharfd.js" /usr/local/bin/wharfd

if ! wharf version >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup wharfd >>/var/log/wharfd.log 2>&1 </dev/null &
  for _ in $(seq 50); do wharf version >/dev/null 2>&1 && break; sleep 0.1; done
fi
wharf image inspect busybox >/dev/null 2>&1 || bash contrib/mkimage-busybox.sh --import busybox:latest
wharf run --rm busybox echo hello from wharf
