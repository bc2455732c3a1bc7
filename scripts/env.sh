# Sourced by the scripts: the environment every build and test uses.
export PATH="$HOME/.cargo/bin:$PWD/frontend/node_modules/.bin:$PATH"
# Trunk must not phone home for a newer version: the network is closed.
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
