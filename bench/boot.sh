# cpu: h=true
# timeout: 900
# bench/boot inside the nested host (make bench): figures, not a test.
. /tests/lib.sh
plan 1
check "bench-boot ran" bench-boot /bin/vmm /guest/Image /guest/guest.cpio /firmware/first.bin 10
done_testing
