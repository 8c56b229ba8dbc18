# cpu: h=true
# timeout: 900
# make soak: the lifecycle soak (tests/nested/soak.sh) for 5 minutes.
SOAK_SECONDS=300
. /tests/soak.sh
