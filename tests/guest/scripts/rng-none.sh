# Without vmm's virtio-rng the kernel has no hw_random source.
echo "guest-rng-current: $(cat /sys/class/misc/hw_random/rng_current)"
