#!/usr/bin/env bash
# A local Parley cluster on loopback: PostgreSQL and Redis (this machine's by default), three nodes, HAProxy in front
# of them and nginx in front of HAProxy (the 10k-users chain; deploy/nginx.conf and deploy/haproxy.cfg as shipped).
#   deploy/cluster.sh start    build if needed, start everything, print the URL
#   deploy/cluster.sh status   readiness through nginx, through HAProxy and of each node
#   deploy/cluster.sh stop     stop what start started (by PID, SIGTERM)
# Settings (environment):
#   PARLEY_CLUSTER_DIR  run dir (./cluster-run): logs, PIDs, the shared JWT secret, the ports in use
#   PG_URL              postgresql://postgres@127.0.0.1:5432/parley (the database is created when missing)
#   REDIS_URL           redis://127.0.0.1:6379 (a Redis Cluster: redis-cluster://host:port,host:port)
#   REDIS_PREFIX        parley (the namespace of this cluster's Redis keys and channels)
#   NGINX_PORT          8000 (the public entry point; empty: no nginx, HAProxy is the entry point)
#   LB_PORT             8080 (HAProxy)
#   LB_TLS_PORT         8443 (HAProxy: HTTPS and WSS, with a self-signed certificate made in the run dir unless
#                       TLS_PEM names a PEM file with your chain and key)
#   NODE_PORTS          "8081 8082 8083" (three ports: deploy/haproxy.cfg lists three servers)
# start records the ports in the run dir, so status and stop need no settings but PARLEY_CLUSTER_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${PARLEY_CLUSTER_DIR:-./cluster-run}
if [ -f "$RUN/ports.env" ] && [ "${1:-}" != start ]; then
    # shellcheck disable=SC1091
    . "$RUN/ports.env"
fi
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432/parley}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
REDIS_PREFIX=${REDIS_PREFIX:-parley}
NGINX_PORT=${NGINX_PORT-8000}
LB_PORT=${LB_PORT:-8080}
LB_TLS_PORT=${LB_TLS_PORT:-8443}
read -r -a PORTS <<< "${NODE_PORTS:-8081 8082 8083}"

need() {
    if ! command -v "$1" > /dev/null && [ ! -x "/usr/sbin/$1" ]; then
        echo "installing $1 (Debian package)..."
        if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$1" > /dev/null
        else sudo apt-get update -qq && sudo apt-get install -y -qq "$1" > /dev/null; fi
    fi
}

ensure_database() {
    local db=${PG_URL##*/}; db=${db%%\?*}
    local admin=${PG_URL%/*}/postgres
    if ! psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        echo "creating database $db"
        psql "$admin" -qc "CREATE DATABASE \"$db\""
    fi
}

wait_ready() {
    # Up to 60 s: a node's first start migrates the schema, and a busy machine starts JVMs slowly.
    for _ in $(seq 1 300); do
        if curl -fs "http://127.0.0.1:$1/health/ready" > /dev/null; then return 0; fi
        if [ -n "${2:-}" ] && ! kill -0 "$2" 2> /dev/null; then
            echo "the process for port $1 exited; see the logs in $RUN" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "port $1 did not become ready; see the logs in $RUN" >&2
    return 1
}

start() {
    if [ "${#PORTS[@]}" -ne 3 ]; then echo "NODE_PORTS must name three ports" >&2; exit 2; fi
    mkdir -p "$RUN"
    for f in "$RUN"/*.pid; do
        if [ -f "$f" ] && kill -0 "$(cat "$f")" 2> /dev/null; then
            echo "already running ($f); run '$0 stop' first" >&2
            exit 1
        fi
    done
    [ -f parley-server/target/parley.jar ] || mvn -q -DskipTests package
    need haproxy
    [ -z "$NGINX_PORT" ] || need nginx
    ensure_database
    printf 'NGINX_PORT=%q\nLB_PORT=%q\nNODE_PORTS=%q\n' "$NGINX_PORT" "$LB_PORT" "${PORTS[*]}" > "$RUN/ports.env"
    # Every node must verify every other node's tokens: one shared secret, kept in the run dir.
    [ -f "$RUN/jwt-secret" ] || head -c 48 /dev/urandom | base64 | tr -d '\n' > "$RUN/jwt-secret"
    local secret; secret=$(cat "$RUN/jwt-secret")
    for port in "${PORTS[@]}"; do
        PARLEY_HTTP_PORT=$port PARLEY_DATA_DIR="$RUN/node-$port" PARLEY_STORE_URL="$PG_URL" \
        PARLEY_REDIS_URL="$REDIS_URL" PARLEY_REDIS_PREFIX="$REDIS_PREFIX" PARLEY_AUTH_JWT_SECRET="$secret" \
            nohup java -jar parley-server/target/parley.jar > "$RUN/node-$port.log" 2>&1 &
        echo $! > "$RUN/node-$port.pid"
    done
    for port in "${PORTS[@]}"; do wait_ready "$port" "$(cat "$RUN/node-$port.pid")" || { stop; exit 1; }; done
    local pem=${TLS_PEM:-$RUN/tls.pem}
    if [ ! -f "$pem" ]; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=localhost \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$RUN/tls.key" -out "$RUN/tls.crt" 2> /dev/null
        cat "$RUN/tls.crt" "$RUN/tls.key" > "$pem"
    fi
    LB_PORT=$LB_PORT LB_TLS_PORT=$LB_TLS_PORT TLS_PEM=$pem NODE1_PORT=${PORTS[0]} NODE2_PORT=${PORTS[1]} NODE3_PORT=${PORTS[2]} \
        haproxy -f deploy/haproxy.cfg -D -p "$RUN/haproxy.pid"
    wait_ready "$LB_PORT" "$(cat "$RUN/haproxy.pid")" || { stop; exit 1; }
    local entry=$LB_PORT
    if [ -n "$NGINX_PORT" ]; then
        local run_abs; run_abs=$(cd "$RUN" && pwd)
        sed -e "s|\${NGINX_PORT}|$NGINX_PORT|g" -e "s|\${LB_PORT}|$LB_PORT|g" -e "s|\${RUN_DIR}|$run_abs|g" \
            deploy/nginx.conf > "$RUN/nginx.conf"
        nginx -c "$run_abs/nginx.conf"
        for _ in $(seq 1 50); do [ -f "$RUN/nginx.pid" ] && break; sleep 0.1; done
        wait_ready "$NGINX_PORT" "$(cat "$RUN/nginx.pid")" || { stop; exit 1; }
        entry=$NGINX_PORT
    fi
    echo "Parley cluster: http://127.0.0.1:$entry and https://127.0.0.1:$LB_TLS_PORT (HAProxy :$LB_PORT, nodes ${PORTS[*]}, logs in $RUN)"
}

status() {
    if [ -n "$NGINX_PORT" ]; then
        curl -s "http://127.0.0.1:$NGINX_PORT/health/ready" || printf 'down'; echo "  <- nginx :$NGINX_PORT"
    fi
    curl -s "http://127.0.0.1:$LB_PORT/health/ready" || printf 'down'; echo "  <- HAProxy :$LB_PORT"
    for port in "${PORTS[@]}"; do
        curl -s "http://127.0.0.1:$port/health/ready" || printf 'down'; echo "  <- node :$port"
    done
}

stop() {
    for f in "$RUN"/nginx.pid "$RUN"/haproxy.pid "$RUN"/node-*.pid; do
        [ -f "$f" ] || continue
        local pid; pid=$(cat "$f")
        # SIGTERM: nodes drain in-flight sends and close their sockets with 1001 (spread over a second) first.
        kill "$pid" 2> /dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
        rm -f "$f"
    done
    echo "stopped"
}

case "${1:-}" in
    start) start ;;
    status) status ;;
    stop) stop ;;
    *) echo "usage: $0 start|status|stop" >&2; exit 2 ;;
esac
