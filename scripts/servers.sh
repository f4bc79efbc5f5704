# Sourced by scripts/test.sh after bootstrap.sh: installs the real servers that the integration tests
# start (tests/integration/servers/), each into its own virtualenv, only when it is missing or when
# its pins below changed.
#   ensure_test_servers      .cache/servers/synapse-venv and .cache/servers/ralph-venv
# Each list pins the whole installed set (top-level package first, then what it pulls in, as
# `pip freeze` showed), so a new release upstream cannot change what CI runs. To move a server on:
# install the new top-level version into a scratch venv, run the integration tests against it, and
# paste its `pip freeze` here.

servers_dir="$repo_root/.cache/servers"

SYNAPSE_PINS=(
  matrix-synapse==1.163.2
  annotated-types==0.8.0 attrs==26.1.0 Automat==25.4.16 bcrypt==5.0.0 bleach==6.4.0
  canonicaljson==2.0.0 certifi==2026.10.19.post1 cffi==2.1.1 charset-normalizer==3.5.3
  constantly==23.10.4 cryptography==50.0.2 hyperlink==21.0.0 idna==3.20 ijson==3.6.0
  immutabledict==4.3.1 Incremental==24.11.0 Jinja2==3.1.6 jsonschema==4.26.0
  jsonschema-specifications==2025.9.1 MarkupSafe==3.0.4 matrix-common==1.3.0 msgpack==1.2.4
  multipart==2.0.1 netaddr==1.3.0 packaging==26.4 phonenumbers==9.0.43 pillow==13.0.0
  prometheus_client==0.26.0 pyasn1==0.6.5 pyasn1_modules==0.4.2 pycparser==3.12 pydantic==2.14.4
  pydantic_core==2.50.5 pymacaroons==0.13.0 PyNaCl==1.6.2 pyOpenSSL==26.4.0 pyparsing==3.3.3
  pyrsistent==0.20.0 python-multipart==0.0.34 PyYAML==6.0.4 referencing==0.37.0 requests==2.34.2
  rpds-py==2026.9.1 semantic-version==2.10.0 service-identity==26.1.0 setuptools-rust==1.13.0
  signedjson==1.1.4 six==1.17.0 sortedcontainers==2.4.0 treq==26.7.0 Twisted==26.10.0
  typing-inspection==0.4.5 typing_extensions==4.16.0 unpaddedbase64==2.1.0 urllib3==2.8.0
  webencodings==0.6.1 zope.interface==8.7
)

RALPH_PINS=(
  "ralph-malph[cli,lrs]==5.1.0" requests==2.34.2
  annotated-types==0.8.0 anyio==4.16.0 bcrypt==4.2.0 cachetools==5.5.0 certifi==2026.10.19.post1
  charset-normalizer==3.5.3 click==8.2.0 click-option-group==0.5.10 dnspython==2.9.2 ecdsa==0.19.2
  email-validator==2.4.0 fastapi==0.114.2 h11==0.16.0 httpcore==1.0.9 httptools==0.9.0 httpx==0.28.1
  idna==3.20 importlib_metadata==8.5.0 langcodes==3.5.1 pyasn1==0.6.5 pydantic==2.14.4
  pydantic-settings==2.16.3 pydantic_core==2.50.5 python-dotenv==1.2.4 python-jose==3.3.0
  PyYAML==6.0.4 rfc3987==1.3.8 rsa==4.9.1 sentry-sdk==2.14.0 six==1.17.0 starlette==0.38.6
  typing-inspection==0.4.5 typing_extensions==4.16.0 urllib3==2.8.0 uvicorn==0.30.6 uvloop==0.23.0
  watchfiles==1.3.0 websockets==17.4 zipp==4.1.2
)

# ensure_server_venv NAME PIN...: (re)creates .cache/servers/NAME-venv unless its stamp matches the pins.
# The stamp (written last) is also what the test fixtures check for a complete install.
ensure_server_venv() {
  local name="$1" dir stamp wanted
  shift
  dir="$servers_dir/$name-venv"
  stamp="$dir/.inflow-pins"
  wanted=$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
  # Up to date: same pins, and the venv's interpreter still runs (its base Python may have gone).
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && "$dir/bin/python" -c '' 2>/dev/null; then
    return 0
  fi
  say "installing the $name test server into .cache/servers/$name-venv"
  rm -rf "$dir"
  mkdir -p "$servers_dir"
  "$(pick_python)" -m venv "$dir"
  "$dir/bin/python" -m pip install -q "$@"
  echo "$wanted" >"$stamp"
}

ensure_test_servers() {
  ensure_server_venv synapse "${SYNAPSE_PINS[@]}"
  ensure_server_venv ralph "${RALPH_PINS[@]}"
}
