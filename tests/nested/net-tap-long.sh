# cpu: h=true
# timeout: 900
# make soak: net-tap.sh's two guests on a bridge with 64 MiB between them.
NET_MIB=64
. /tests/net-tap.sh
