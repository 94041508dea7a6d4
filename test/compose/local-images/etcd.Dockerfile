# Stand-in for the public etcd image where no registry answers: Debian bookworm (debootstrap
# minbase, imported as BASE) with Debian's etcd and etcdctl, on PATH like in the public image.
# Context: the `etcd` and `etcdctl` binaries.
ARG BASE
FROM ${BASE}
COPY etcd etcdctl /usr/local/bin/
EXPOSE 2379 2380
CMD ["etcd"]
