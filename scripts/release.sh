#!/usr/bin/env bash
# Builds a release of the version in pom.xml into target/release/ (docs/releasing.md): the runnable server jar with
# its SHA-256, and the SDK jars (parley-protocol, parley-client) with their -sources and -javadoc jars and poms.
# Runs the tests first (they need PostgreSQL and Redis, as `mvn -B test` does) unless --skip-tests is given.
# Publishes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: scripts/release.sh [--skip-tests]"
    echo "Builds target/release/: parley-VERSION.jar, its .sha256, the SDK jars with sources and javadoc, SHA256SUMS."
}

skip_tests=false
for arg in "$@"; do
    case "$arg" in
        --skip-tests) skip_tests=true ;;
        -h | --help) usage; exit 0 ;;
        *) echo "release: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

# The project's own version: the first <version> at two spaces of indentation in the parent pom.
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
if [ -z "$version" ]; then
    echo "release: no version found in pom.xml" >&2
    exit 1
fi
case "$version" in
    *-SNAPSHOT) echo "release: $version is a snapshot; set the release version in every pom first" >&2; exit 1 ;;
esac
for pom in */pom.xml; do
    if ! grep -q "<version>$version</version>" "$pom"; then
        echo "release: $pom does not name the parent's version $version" >&2
        exit 1
    fi
done
if command -v git > /dev/null && [ -n "$(git status --porcelain 2> /dev/null)" ]; then
    echo "release: warning: the work tree has uncommitted changes; this build is not of a commit" >&2
fi

modules=parley-protocol,parley-client,parley-server
if $skip_tests; then
    echo "release: building $version without running the tests"
    mvn -B -q -Dstyle.color=never -Prelease -pl "$modules" -am -DskipTests clean package
else
    echo "release: building and testing $version"
    mvn -B -q -Dstyle.color=never -Prelease -pl "$modules" -am clean verify
fi

out=target/release
rm -rf "$out"
mkdir -p "$out"
cp parley-server/target/parley.jar "$out/parley-$version.jar"
cp pom.xml "$out/parley-parent-$version.pom"
for module in parley-protocol parley-client; do
    for classifier in "" -sources -javadoc; do
        cp "$module/target/$module-$version$classifier.jar" "$out/"
    done
    cp "$module/pom.xml" "$out/$module-$version.pom"
done
cp LICENSE NOTICE "$out/"

(
    cd "$out"
    sha256sum "parley-$version.jar" > "parley-$version.jar.sha256"
    sha256sum ./*.jar ./*.pom | sed 's: \./: :' > SHA256SUMS
)

echo "release: $version in $out/"
(cd "$out" && ls -l | sed 1d | awk '{ printf "  %10d  %s\n", $5, $9 }')
echo "release: SHA-256 of the runnable jar (check with: cd $out && sha256sum -c parley-$version.jar.sha256)"
echo "  $(cat "$out/parley-$version.jar.sha256")"
