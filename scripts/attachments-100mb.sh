#!/usr/bin/env bash
# Issue 16 item 8: a 100 MB attachment up and down through the embedded blob store, with the server at -Xmx160m.
# Starts the jar (mvn -q -DskipTests package first) on a free port with a fresh data dir, registers two users, uploads
# 100 MiB of random bytes through the signed URL, finalizes, sends it, downloads it as the other member, compares the
# SHA-256 and prints the times and the server's peak heap use (from /metrics). Stops the server it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=parley-server/target/parley.jar
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
head -c $((100 * 1024 * 1024)) /dev/urandom > "$WORK/file.bin"
printf '%%PDF-1.7\n' | dd of="$WORK/file.bin" conv=notrunc status=none
SIZE=$(stat -c %s "$WORK/file.bin")
PARLEY_DATA_DIR="$WORK/data" PARLEY_HTTP_PORT=$PORT PARLEY_AUTH_BCRYPT_COST=4 PARLEY_LOG_LEVEL=warn \
  java -Xmx160m -jar "$JAR" > "$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
B=http://127.0.0.1:$PORT
for _ in $(seq 1 200); do curl -sf "$B/health/ready" >/dev/null && break; sleep 0.1; done
tok() { curl -sf -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"correct horse battery\"}" \
  "$B/api/v1/auth/register" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
A=$(tok alice); BOB=$(tok bob)
BOBID=$(curl -sf -H "Authorization: Bearer $BOB" "$B/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["userId"])')
DM=$(curl -sf -H "Authorization: Bearer $A" -H 'content-type: application/json' -d "{\"type\":\"direct\",\"userId\":\"$BOBID\"}" \
  "$B/api/v1/conversations" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
SLOT=$(curl -sf -H "Authorization: Bearer $A" -H 'content-type: application/json' \
  -d "{\"name\":\"big.pdf\",\"contentType\":\"application/pdf\",\"size\":$SIZE}" "$B/api/v1/conversations/$DM/attachments")
ID=$(echo "$SLOT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
URL=$(echo "$SLOT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["upload"]["url"])')
T0=$(date +%s.%N)
curl -sf -X PUT -H 'Content-Type: application/pdf' --data-binary @"$WORK/file.bin" "$B$URL" >/dev/null
T1=$(date +%s.%N)
curl -sf -X POST -H "Authorization: Bearer $A" "$B/api/v1/attachments/$ID/finalize" >/dev/null
for _ in $(seq 1 300); do
  S=$(curl -sf -H "Authorization: Bearer $A" "$B/api/v1/attachments/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$S" = ready ] && break; sleep 0.1
done
curl -sf -H "Authorization: Bearer $A" -H 'content-type: application/json' \
  -d "{\"clientMsgId\":\"big-1\",\"attachments\":[\"$ID\"]}" "$B/api/v1/conversations/$DM/attachment-messages" >/dev/null
T2=$(date +%s.%N)
curl -sfL -H "Authorization: Bearer $BOB" "$B/api/v1/attachments/$ID/download" -o "$WORK/got.bin"
T3=$(date +%s.%N)
[ "$(sha256sum < "$WORK/file.bin")" = "$(sha256sum < "$WORK/got.bin")" ] || { echo "MISMATCH"; exit 1; }
HEAP=$(curl -sf "$B/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s+=$NF} END {printf "%.0f", s/1048576}')
echo "100 MiB ($SIZE bytes) at -Xmx160m: upload $(echo "$T1 - $T0" | bc) s, download $(echo "$T3 - $T2" | bc) s, sha256 equal, heap in use after: ${HEAP} MiB"
grep -i "OutOfMemory" "$WORK/server.log" && exit 1 || true
