# Sourced by the scripts that install Debian packages or run PostgreSQL's tools
# (postgres.sh, cluster.sh, browser.sh).

# debian_install <who> <package>...: installs the packages, progress on stderr. Returns 3
# where that is impossible (not root, no apt).
debian_install() {
  local who=$1
  shift
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "$who: $* missing (installing needs root and apt)" >&2
    return 3
  fi
  echo "$who: installing Debian's $*" >&2
  apt-get update -qq >&2 || return 3
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# The newest installed PostgreSQL's bin directory, or nothing.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Runs a PostgreSQL tool as the postgres user when we are root (it refuses to run as root),
# from / : the postgres user may not enter the current directory (a clone in a private
# temporary folder printed "could not change directory"). Paths given must be absolute.
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
