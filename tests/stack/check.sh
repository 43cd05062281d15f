#!/usr/bin/env bash
# Smoke-check a running stack from tests/stack/up.sh: every part answers as the tests expect.
#
#   tests/stack/check.sh [STATE_DIR]    (default: $BERTH_STACK_DIR, else /tmp/berth-stack)
#
# Pushes berth-test/busybox to the registry (docker login with a temporary DOCKER_CONFIG), calls
# STS/ECR on the AWS backend (and its /berth-api/), round-trips a secret through the keychain,
# asks tauri-driver for /status.
# Prints one line per check and "N passed, N failed".
set -uo pipefail

STATE_DIR=${1:-${BERTH_STACK_DIR:-/tmp/berth-stack}}
[ -f "$STATE_DIR/env" ] || { echo "[check] no $STATE_DIR/env: run tests/stack/up.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
. "$STATE_DIR/env"
CURL=(curl -s --noproxy '*' --max-time 10)
pass=0 failn=0
check() { # description command...
  local d=$1 out
  shift
  if out=$("$@" 2>&1); then pass=$((pass + 1)); echo "[check] ok    $d"
  else failn=$((failn + 1)); echo "[check] FAIL  $d"; printf '%s\n' "$out" | tail -n 5 | sed 's/^/[check]         /'; fi
}
http_code() { "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@"; }
sigv4() { echo "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/20200101/$AWS_REGION/$1/aws4_request, SignedHeaders=host, Signature=0"; }

check "docker engine answers ($DOCKER_HOST)" docker version --format '{{.Server.Version}}'
check "test image $BERTH_TEST_IMAGE runs" docker run --rm "$BERTH_TEST_IMAGE" true
check "registry /v2/ is 401 without credentials" test "$(http_code "http://$BERTH_TEST_REGISTRY/v2/")" = 401
check "registry /v2/ is 200 with credentials" \
  test "$(http_code -u "$BERTH_TEST_REGISTRY_USER:$BERTH_TEST_REGISTRY_PASSWORD" "http://$BERTH_TEST_REGISTRY/v2/")" = 200
push() {
  local cfg ref rc
  cfg=$(mktemp -d); ref=$BERTH_TEST_REGISTRY/berth-check/busybox:$$
  (
    set -e
    export DOCKER_CONFIG=$cfg   # never the user's ~/.docker
    printf '%s' "$BERTH_TEST_REGISTRY_PASSWORD" | docker login -u "$BERTH_TEST_REGISTRY_USER" --password-stdin "$BERTH_TEST_REGISTRY"
    docker tag "$BERTH_TEST_IMAGE" "$ref"
    docker push -q "$ref"
    docker logout "$BERTH_TEST_REGISTRY"
  )
  rc=$?
  docker rmi "$ref" >/dev/null 2>&1
  rm -rf "$cfg"
  return $rc
}
check "docker login + push to the registry" push
check "moto /moto-api/ answers" "${CURL[@]}" -f -o /dev/null "$BERTH_TEST_MOTO_URL/moto-api/"
check "moto STS GetCallerIdentity" sh -c '"$@" | grep -q "<Account>123456789012</Account>"' _ \
  "${CURL[@]}" "$BERTH_TEST_MOTO_URL/" -H "$(sigv4 sts)" -d 'Action=GetCallerIdentity&Version=2011-06-15'
ecr_pair() {
  "${CURL[@]}" "$BERTH_TEST_MOTO_URL/" -H "$(sigv4 ecr)" -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' -d '{}' |
    jq -r '.authorizationData[0].authorizationToken' | base64 -d
}
if [ -n "${BERTH_TEST_MOTO_INSTANCE:-}" ]; then
  check "strict AWS backend: /berth-api/ lists its rules" sh -c '"$@" | grep -q "ecs.list-tasks.started-by-alone"' _ \
    "${CURL[@]}" "$BERTH_TEST_MOTO_URL/berth-api/"
fi
check "moto ECR token = registry credentials" test "$(ecr_pair)" = "$BERTH_TEST_REGISTRY_USER:$BERTH_TEST_REGISTRY_PASSWORD"
keyring() {
  local v=check-$$-$RANDOM got
  export HOME=$BERTH_TEST_KEYRING_HOME XDG_RUNTIME_DIR=$BERTH_TEST_XDG_RUNTIME_DIR
  printf '%s' "$v" | secret-tool store --label=berth-check service berth-stack-check account check || return 1
  got=$(secret-tool lookup service berth-stack-check account check)
  secret-tool clear service berth-stack-check account check
  [ "$got" = "$v" ]
}
check "keychain secret-tool round trip ($DBUS_SESSION_BUS_ADDRESS)" keyring
check "Xvfb display $DISPLAY is up" test -S "/tmp/.X11-unix/X${DISPLAY#:}"
check "tauri-driver /status ready" sh -c '"$@" | grep -q "\"ready\":true"' _ "${CURL[@]}" "$BERTH_TEST_WEBDRIVER_URL/status"

echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
