#!/bin/bash
# Builds a busybox root file system from Debian's busybox-static, like Docker's
# contrib/mkimage scripts, and writes it as a tar (or imports it as an image).
#
#   contrib/mkimage-busybox.sh -o busybox.tar            # just the rootfs tar
#   contrib/mkimage-busybox.sh --import busybox:latest   # tar | wharf import (CMD ["sh"])
#
# The layout follows the official busybox image: applets as symlinks in /bin, a passwd
# and group with root, daemon, www-data and nobody, /tmp sticky, /var/www for httpd.
set -euo pipefail

out="" image="" client="${WHARF_CLIENT:-wharf}"
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    --import) image=$2; shift 2 ;;
    --client) client=$2; shift 2 ;;
    *) echo "usage: $0 [-o FILE.tar] [--import NAME[:TAG]] [--client wharf|docker]" >&2; exit 2 ;;
  esac
done
[ -n "$out$image" ] || { echo "usage: $0 [-o FILE.tar] [--import NAME[:TAG]]" >&2; exit 2; }

busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 || { echo "$0: $busybox missing: apt-get install busybox-static" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then echo "$0: $busybox is not static: apt-get install busybox-static" >&2; exit 1; fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,etc,home,proc,root,sys,tmp,usr/sbin,var/spool/mail,var/www}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:root
mail:x:8:
www-data:x:33:
operator:x:37:
users:x:100:
nogroup:x:65534:
GROUP
echo 'root:*::0:::::' > "$root/etc/shadow"
chmod 640 "$root/etc/shadow"

# Fixed owners and times: the same busybox package gives the same tar, so the same image ID.
mtime="@$(stat -c %Y "$busybox")"
tarball() { tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="$mtime" -C "$root" -cf - .; }
if [ -n "$out" ]; then tarball > "$out"; fi
if [ -n "$image" ]; then tarball | "$client" import --change 'CMD ["sh"]' - "$image"; fi
