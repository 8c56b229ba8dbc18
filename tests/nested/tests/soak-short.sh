# cpu: h=true
# timeout: 240
# The lifecycle soak (tests/nested/soak.sh), 30 s of it; make soak runs
# it for 5 minutes.
SOAK_SECONDS=30
. /tests/soak.sh
