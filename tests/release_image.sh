#!/usr/bin/env bash
# The release and the image, end to end, against a docker-registry on
# loopback: scripts/image (which runs scripts/release) builds both static
# binaries and both images, pushes them, assembles REPO:TAG with
# manifest-web's own push from-args and inspects it. Then this checks what
# came out: static binaries with their checksums, the amd64 one serving the
# built-in page from an empty directory, the arm64 one (under qemu-aarch64)
# reading the index back, and each image's config (platform, non-root user,
# OCI labels) and files (the very binary of its architecture).
#   tests/release_image.sh      (scripts/test runs it; needs buildah, which
#                                scripts/setup installs)
# MANIFEST_WEB_EMBED_DIST=dist (set by scripts/test) reuses the page built just
# before instead of building it again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v buildah >/dev/null; then
  echo "SKIPPED: tests/release_image.sh needs buildah (scripts/setup installs it)"
  exit 0
fi

WORK=$(mktemp -d /tmp/manifest-web-release-test.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@" >"$WORK/check.out" 2>&1; then
    passed=$((passed + 1)); echo "ok: $what"
  else
    failed=$((failed + 1)); echo "FAILED: $what"; sed 's/^/    /' "$WORK/check.out"
  fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

REGISTRY_PORT=$(free_port)
cat >"$WORK/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YAML
/usr/bin/docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$REGISTRY_PORT/v2/" || { cat "$WORK/registry.log"; exit 1; }
REG=127.0.0.1:$REGISTRY_PORT
REF=$REG/ship/manifest-web:t1

start=$(date +%s)
scripts/image --plain-http "$REF" 2>&1 | tee "$WORK/image.log"
echo "scripts/image took $(( $(date +%s) - start )) s"

# The binaries.
AMD64=$PWD/release/manifest-web-linux-amd64
ARM64=$PWD/release/manifest-web-linux-arm64
check "SHA256SUMS lists both binaries and matches them" \
  bash -c 'cd release && [ "$(awk "{print \$2}" SHA256SUMS | sort | paste -sd " ")" = "manifest-web-linux-amd64 manifest-web-linux-arm64" ] && sha256sum -c SHA256SUMS'
check "file: the amd64 binary is a static x86-64 executable" \
  bash -c "file -b '$AMD64' | grep -E 'x86-64' | grep -E 'static(-pie)? ?(linked)?'"
check "file: the arm64 binary is a static aarch64 executable" \
  bash -c "file -b '$ARM64' | grep -E 'ARM aarch64' | grep -E 'statically linked'"
check "ldd: the amd64 binary needs no shared library" \
  bash -c "ldd '$AMD64' 2>&1 | grep -E 'statically linked|not a dynamic executable'"

# The amd64 binary, alone in an empty directory, serves the built-in page.
EMPTY=$WORK/empty
mkdir -p "$EMPTY"
PORT=$(free_port)
(cd "$EMPTY" && exec env -i "$AMD64" --listen "127.0.0.1:$PORT") >"$WORK/server.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$PORT/api/v1/health" || { cat "$WORK/server.log"; exit 1; }
curl -fsS -D "$WORK/index.headers" "http://127.0.0.1:$PORT/" -o "$WORK/index.html"
check "from an empty directory, / is the built page (its wasm and script)" \
  bash -c "grep -q '_bg.wasm' '$WORK/index.html' && grep -qi '<script' '$WORK/index.html' && [ \"\$(ls -A '$EMPTY')\" = '' ]"
check "the page's HTML is revalidated (no-cache)" grep -qi '^cache-control: no-cache' "$WORK/index.headers"
check "the page's start-up log says the page is built in" grep -q 'built in' "$WORK/server.log"
check "the built-in page opened from another site is marked (it asks before inspecting)" \
  bash -c "curl -fsS -H 'Sec-Fetch-Site: cross-site' 'http://127.0.0.1:$PORT/?ref=x' | grep -q 'mw-opened-from'"
# Page files have stable names (one module per page, `inspect` for `/`):
# each is asked about again (no-cache) and answered 304 while unchanged.
WASM=/inspect_bg.wasm
curl -fsS -H 'Accept-Encoding: gzip' -D "$WORK/wasm.headers" "http://127.0.0.1:$PORT$WASM" -o "$WORK/wasm.gz"
check "the inspect page's wasm ($WASM) is revalidated (no-cache, ETag) and served gzipped" \
  bash -c "grep -qi '^cache-control: no-cache' '$WORK/wasm.headers' \
    && grep -qi '^etag: ' '$WORK/wasm.headers' \
    && grep -qi '^content-encoding: gzip' '$WORK/wasm.headers' \
    && gzip -dc '$WORK/wasm.gz' | head -c 4 | od -An -c | grep -q 'a   s   m'"
ETAG=$(grep -i '^etag: ' "$WORK/wasm.headers" | head -1 | cut -d' ' -f2- | tr -d '\r')
check "asked again with its ETag, the wasm is a 304" \
  bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' -H 'If-None-Match: $ETAG' 'http://127.0.0.1:$PORT$WASM')\" = 304 ]"
check "the same wasm is the one in dist/" \
  bash -c "[ \"\$(gzip -dc '$WORK/wasm.gz' | sha256sum)\" = \"\$(sha256sum < 'dist$WASM')\" ]"

# The index, read back by the arm64 binary (under qemu-aarch64).
check "the arm64 binary runs (qemu-aarch64) and reads both platforms of $REF" \
  bash -c "qemu-aarch64 '$ARM64' --plain-http mquery '$REF' | tee /dev/stderr | grep -q 'linux/amd64' \
    && qemu-aarch64 '$ARM64' --plain-http mquery '$REF' | grep -q 'linux/arm64'"
check "$REF was assembled by manifest-web push from-args and inspected" \
  grep -q 'assembling .* with manifest-web push from-args' "$WORK/image.log"
skopeo inspect --raw --tls-verify=false "docker://$REF" >"$WORK/index.json"
check "$REF is an index of exactly linux/amd64 and linux/arm64" \
  python3 -c '
import json, sys
index = json.load(open(sys.argv[1]))
platforms = sorted((m["platform"]["os"], m["platform"]["architecture"]) for m in index["manifests"])
assert platforms == [("linux", "amd64"), ("linux", "arm64")], platforms
' "$WORK/index.json"

# Each image: its config and its files.
REVISION=$(git rev-parse HEAD)
VERSION=$("$AMD64" --version | awk '{print $2}')
for arch in amd64 arm64; do
  skopeo inspect --config --tls-verify=false "docker://$REF-$arch" >"$WORK/config-$arch.json"
  check "$REF-$arch: linux/$arch, user 65532, entrypoint, OCI labels" \
    python3 -c '
import json, sys, datetime
config, arch, revision, version = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
assert (config["os"], config["architecture"]) == ("linux", arch), (config["os"], config["architecture"])
c = config["config"]
assert c["User"] == "65532:65532", c["User"]
assert c["Entrypoint"] == ["/usr/local/bin/manifest-web"], c["Entrypoint"]
labels = c["Labels"]
assert labels["org.opencontainers.image.source"].startswith("https://"), labels
assert labels["org.opencontainers.image.version"] == version, (labels, version)
assert labels["org.opencontainers.image.revision"].startswith(revision), labels
datetime.datetime.strptime(labels["org.opencontainers.image.created"], "%Y-%m-%dT%H:%M:%SZ")
' "$WORK/config-$arch.json" "$arch" "$REVISION" "$VERSION"
  skopeo copy --quiet --src-tls-verify=false "docker://$REF-$arch" "dir:$WORK/image-$arch"
  mkdir -p "$WORK/rootfs-$arch"
  for layer in $(python3 -c 'import json,sys; print(" ".join(l["digest"].split(":")[1] for l in json.load(open(sys.argv[1]))["layers"]))' "$WORK/image-$arch/manifest.json"); do
    tar -xzf "$WORK/image-$arch/$layer" -C "$WORK/rootfs-$arch"
  done
  check "$REF-$arch holds its own binary, CA certificates and the user" \
    bash -c "cmp '$WORK/rootfs-$arch/usr/local/bin/manifest-web' 'release/manifest-web-linux-$arch' \
      && [ -s '$WORK/rootfs-$arch/etc/ssl/certs/ca-certificates.crt' ] \
      && grep -q '^nonroot:x:65532:65532:' '$WORK/rootfs-$arch/etc/passwd' \
      && [ \"\$(find '$WORK/rootfs-$arch' -type f | wc -l)\" = 4 ]"
done

# The amd64 image's files alone, as its user: the binary (found through the
# image's own filesystem, nothing of this machine's) reads the index back.
if [ "$(id -u)" = 0 ]; then
  check "the amd64 image's filesystem alone runs manifest-web as user 65532" \
    bash -c "chroot --userspec=65532:65532 '$WORK/rootfs-amd64' /usr/local/bin/manifest-web --plain-http mquery '$REF' \
      | tee /dev/stderr | grep -q 'linux/arm64'"
fi

echo "release/image: $passed passed, $failed failed"
[ "$failed" = 0 ]
