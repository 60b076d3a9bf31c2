#!/bin/bash
# Builds the seed demo's image: the busybox root file system from contrib/mkimage-busybox.sh
# plus this folder's www/ (index.html and the CGI script cgi-bin/kungfu), imported with
# EXPOSE 8819 and httpd as its CMD. A tar and `import`, because `wharf build` does not exist yet.
#
#   bash examples/httpd-cgi/build.sh [--image NAME[:TAG]] [--client wharf|docker]
#
# Default image httpd-cgi:latest; the client defaults to wharf (docker works the same with
# DOCKER_HOST set).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image=httpd-cgi:latest client=${WHARF_CLIENT:-wharf}
while [ $# -gt 0 ]; do
  case "$1" in
    --image) image=$2; shift 2 ;;
    --client) client=$2; shift 2 ;;
    *) echo "usage: $0 [--image NAME[:TAG]] [--client wharf|docker]" >&2; exit 2 ;;
  esac
done

tar=$(mktemp --suffix=.tar)
trap 'rm -f "$tar"' EXIT
bash "$repo/contrib/mkimage-busybox.sh" -o "$tar"
# Same owners and times as mkimage's entries, so the same files give the same image ID.
# The CGI script must stay executable: httpd runs it, and answers 403 otherwise.
tar --append -f "$tar" --sort=name --numeric-owner --owner=0 --group=0 \
  --mtime="@$(stat -c %Y /bin/busybox)" --mode=go-w -C "$here" ./www
"$client" import --change 'EXPOSE 8819/tcp' --change 'CMD ["httpd", "-f", "-p", "8819", "-h", "/www"]' "$tar" "$image" >/dev/null
echo "$image"
