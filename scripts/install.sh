#!/bin/bash
# The README's first command: install, build, start wharfd, make the busybox base image
# and run the quickstart (examples/httpd-cgi: busybox httpd and a CGI script behind port 8819).
# Run as root on Debian bookworm.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
ln -sf "$PWD/dist/wharf.js" /usr/local/bin/wharf
ln -sf "$PWD/dist/wharfd.js" /usr/local/bin/wharfd

# Starts wharfd when no daemon answers on /run/wharf/wharf.sock (the CLI's auto-start,
# which says so in one line; the daemon logs to /run/wharf/wharfd.log).
wharf version >/dev/null
wharf image inspect busybox >/dev/null 2>&1 || bash contrib/mkimage-busybox.sh --import busybox:latest
wharf run --rm busybox echo hello from wharf
bash examples/httpd-cgi/demo.sh
