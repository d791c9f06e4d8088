#!/usr/bin/env bash
# Local infrastructure without Docker: Postgres, Redis and a MongoDB wire-protocol server.
#
#   scripts/infra.sh up     start whatever does not already answer, print the URLs (idempotent)
#   scripts/infra.sh down   stop what this script started (servers it found running are left alone)
#   scripts/infra.sh env    print the export lines again
#   scripts/infra.sh mongo-classpath   resolve mongo-java-server (for tests with a server of their own)
#
# Everything it starts keeps its data under .data/ (git-ignored). Missing OS packages are installed
# with apt-get; MongoDB is a real `mongod` when one is on PATH, otherwise mongo-java-server from
# Maven Central (see scripts/mongo/README.md for why and how).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data="$root/.data"
env_file="$data/infra.env"

pg_port=${PG_PORT:-5432}
redis_port=${REDIS_PORT:-6379}
mongo_port=${MONGO_PORT:-27017}
postgres_url=${POSTGRES_URL:-postgres://platform:platform@127.0.0.1:$pg_port/platform}
redis_url=${REDIS_URL:-redis://127.0.0.1:$redis_port}
mongo_url=${MONGO_URL:-mongodb://127.0.0.1:$mongo_port}

say() { echo "infra: $*" >&2; }
die() { echo "infra: $*" >&2; exit 1; }

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 seconds=$2; shift 2
  for ((i = 0; i < seconds * 4; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  die "$what did not become ready within ${seconds}s (logs under $data)"
}

apt_install() { # apt_install <package...>: only when missing, once per run
  command -v apt-get >/dev/null || die "need $* but apt-get is not available; install them by hand"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "${apt_updated:-}" ]; then $sudo apt-get update -qq >&2; apt_updated=1; fi
  say "installing $* from the OS packages"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

# --- Postgres -------------------------------------------------------------------------------------

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] && ! command -v initdb >/dev/null; then
    apt_install postgresql
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "${dir:-$(dirname "$(command -v initdb)")}"
}

# Postgres refuses to run as root: as root, run the server as the `postgres` system user.
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

postgres_up() {
  if port_answers "$pg_port"; then
    psql "$postgres_url" -qAtc 'select 1' >/dev/null 2>&1 ||
      die "something answers on port $pg_port but $postgres_url does not log in; set POSTGRES_URL or PG_PORT"
    say "postgres already answers on $pg_port"
    return
  fi
  local bin dir="$data/postgres"
  bin=$(pg_bin)
  command -v psql >/dev/null || apt_install postgresql-client
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "initialising a Postgres cluster in $dir"
    # Trust on loopback only: this cluster is a local development sandbox.
    as_pg_user "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 >"$data/postgres-init.log"
  fi
  # autovacuum_naptime 10s (default 1 min): the queue-like tables (outbox, notification, reservation
  # task) ask for a vacuum every 10,000 dead rows, which at a few hundred orders/s is every few seconds.
  as_pg_user "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c autovacuum_naptime=10s" start >&2
  touch "$data/postgres.started-by-us"
  local admin="postgres://postgres@127.0.0.1:$pg_port/postgres"
  psql "$admin" -qAtc "select 1 from pg_roles where rolname='platform'" | grep -q 1 ||
    psql "$admin" -qc "create role platform login superuser password 'platform'"
  psql "$admin" -qAtc "select 1 from pg_database where datname='platform'" | grep -q 1 ||
    psql "$admin" -qc "create database platform owner platform"
  say "postgres started on $pg_port"
}

postgres_down() {
  [ -f "$data/postgres.started-by-us" ] || return 0
  as_pg_user "$(pg_bin)/pg_ctl" -D "$data/postgres" -m fast stop >&2 || true
  rm -f "$data/postgres.started-by-us"
}

# --- Redis ----------------------------------------------------------------------------------------

redis_up() {
  command -v redis-server >/dev/null || apt_install redis-server
  if redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
    say "redis already answers on $redis_port"
    return
  fi
  mkdir -p "$data/redis"
  # AOF on, as in compose.yaml: stock and reservations live in Redis.
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" --appendonly yes \
    --daemonize yes --pidfile "$data/redis/redis.pid" --logfile "$data/redis/redis.log" >&2
  wait_for redis 30 bash -c "redis-cli -p $redis_port ping | grep -q PONG"
  say "redis started on $redis_port"
}

redis_down() {
  [ -f "$data/redis/redis.pid" ] || return 0
  redis-cli -p "$redis_port" shutdown >/dev/null 2>&1 || true
  rm -f "$data/redis/redis.pid"
}

# --- MongoDB (wire protocol) ----------------------------------------------------------------------

mongo_up() {
  if port_answers "$mongo_port"; then
    say "mongodb already answers on $mongo_port"
    return
  fi
  mkdir -p "$data/mongo"
  if command -v mongod >/dev/null; then
    mongod --dbpath "$data/mongo" --port "$mongo_port" --bind_ip 127.0.0.1 --fork \
      --logpath "$data/mongo/mongod.log" --pidfilepath "$data/mongo/mongo.pid" >&2
  else
    local classpath
    classpath=$(mongo_classpath)
    nohup java -Xmx512m -cp "$(cat "$classpath")" "$root/scripts/mongo/MongoWireServer.java" \
      --port "$mongo_port" --file "$data/mongo/activity.mv" >"$data/mongo/server.log" 2>&1 &
    echo $! >"$data/mongo/mongo.pid"
  fi
  wait_for mongodb 90 port_answers "$mongo_port"
  say "mongodb started on $mongo_port"
}

# The mongo-java-server classpath (resolved from Maven Central once), for this script and for the
# tests that start a MongoDB wire server of their own; prints the file that holds it.
mongo_classpath() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  local classpath="$data/mongo/classpath.txt"
  mkdir -p "$data/mongo"
  if [ ! -s "$classpath" ] || [ "$root/scripts/mongo/pom.xml" -nt "$classpath" ]; then
    say "resolving mongo-java-server from Maven Central"
    mvn -q -B -f "$root/scripts/mongo/pom.xml" dependency:build-classpath \
      -Dmdep.outputFile="$classpath" >"$data/mongo/maven.log" 2>&1 ||
      die "maven could not resolve mongo-java-server (see $data/mongo/maven.log)"
  fi
  echo "$classpath"
}

mongo_down() {
  [ -f "$data/mongo/mongo.pid" ] || return 0
  local pid
  pid=$(cat "$data/mongo/mongo.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$data/mongo/mongo.pid"
}

# --- commands -------------------------------------------------------------------------------------

write_env() {
  cat >"$env_file" <<EOF
export POSTGRES_URL=$postgres_url
export REDIS_URL=$redis_url
export MONGO_URL=$mongo_url
EOF
  cat "$env_file"
}

case "${1:-up}" in
  up)
    mkdir -p "$data"
    postgres_up
    redis_up
    mongo_up
    write_env
    ;;
  down)
    mongo_down
    redis_down
    postgres_down
    say "stopped what this script had started"
    ;;
  env)
    [ -f "$env_file" ] || die "no $env_file yet: run scripts/infra.sh up"
    cat "$env_file"
    ;;
  mongo-classpath) mongo_classpath ;;
  *) die "usage: scripts/infra.sh up|down|env|mongo-classpath" ;;
esac
