# Stand-in for node:20-slim where no registry answers: Debian bookworm (debootstrap minbase,
# imported as BASE) with this machine's node binary and the same unprivileged `node` user
# (uid/gid 1000) the public image has. Context: the `node` binary.
ARG BASE
FROM ${BASE}
COPY node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
