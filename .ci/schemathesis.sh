#!/usr/bin/env bash
# Runs schemathesis against the OpenAPI document a komhen demo serves, with
# every check, a fixed seed and a bounded number of examples; fails on any
# finding. The push API stores what it accepts, so run it against a demo
# database nothing else counts on afterwards (.ci/run runs it after the
# browser tests).
#
#   .ci/schemathesis.sh BASE_URL DATABASE_URL
#
# KOMHEN_BIN: the komhen binary (default target/debug/komhen).
# SCHEMATHESIS_EXAMPLES: test cases per operation and phase (default 100:
# about 1,100 requests, half a minute against the 20k demo).
# SCHEMATHESIS_SEED: another seed, to search wider by hand (the CI keeps
# the fixed one, so a run can be repeated).
# SCHEMATHESIS_VENV: a virtualenv to install into and reuse (default: a
# temporary one, removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

base_url=${1:?base URL, e.g. http://127.0.0.1:18080}
database_url=${2:?the demo database URL}
komhen_bin=${KOMHEN_BIN:-$PWD/target/debug/komhen}
version=4.32.5
seed=${SCHEMATHESIS_SEED:-20261207}
examples=${SCHEMATHESIS_EXAMPLES:-100}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
venv=${SCHEMATHESIS_VENV:-$work/venv}
if [ ! -x "$venv/bin/schemathesis" ] || [ "$("$venv/bin/schemathesis" --version)" != "schemathesis, version $version" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet "schemathesis==$version"
fi

# A system token for the push API (Køge), and a national administrator's
# session for the read APIs.
KOMHEN_API_TOKEN=$("$komhen_bin" token --database-url "$database_url" \
  --municipality 259 --system "schemathesis $(date -u +%Y-%m-%dT%H:%M:%S)" 2>/dev/null)
curl -fsS -o /dev/null -c "$work/jar" \
  --data-urlencode login=admin@komhen.example --data-urlencode password=komhen-demo \
  "$base_url/log-ind"
KOMHEN_API_SESSION=$(awk '$6 == "komhen_session" { print $7 }' "$work/jar")
[ -n "$KOMHEN_API_SESSION" ] || { echo "logging in on $base_url gave no session"; exit 1; }
export KOMHEN_API_TOKEN KOMHEN_API_SESSION

config=$PWD/.ci/schemathesis.toml
# In the temporary folder: schemathesis keeps a cache where it runs.
cd "$work"
"$venv/bin/schemathesis" --config-file "$config" run "$base_url/api/v1/openapi.json" \
  --url "$base_url" --checks all --seed "$seed" --max-examples "$examples" \
  --no-color
