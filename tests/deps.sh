#!/bin/sh
# Install the Debian packages named as arguments that are not installed.
# A name with an architecture (musl-dev:arm64) adds that architecture to
# dpkg first (multiarch), once.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "tcpinspect: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "installing:$missing"
for p in $missing; do
	case $p in *:*) ;; *) continue ;; esac
	a=${p##*:}
	[ "$a" = "$(dpkg --print-architecture)" ] && continue
	dpkg --print-foreign-architectures | grep -qx "$a" && continue
	echo "adding architecture $a (dpkg --add-architecture $a)"
	dpkg --add-architecture "$a" || exit 1
done
export DEBIAN_FRONTEND=noninteractive
# A mirror may fail one index (one architecture of one suite) and serve
# the rest: go on with what apt has; the install says if that was not enough.
apt-get update -qq || echo "tcpinspect: apt-get update reported errors; trying with the package lists it has" >&2
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
