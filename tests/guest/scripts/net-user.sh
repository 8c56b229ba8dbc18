# vmm's virtio-net on passt, as a Linux guest uses it: an address by DHCP,
# a file fetched from the nested host (at the gateway's address, which
# passt maps to the host itself), then a web server for the host to reach
# through hostfwd; the host ends the VM when it is done.
ip link set lo up
ip link set eth0 up
cp /tests/dhcp-event.sh /tmp/dhcp-event && chmod +x /tmp/dhcp-event
udhcpc -i eth0 -n -q -t 10 -T 2 -s /tmp/dhcp-event || exit 1
gw=$(ip route | awk '/^default/ { print $3 }')
wget -q -O /tmp/blob "http://$gw:8080/blob" || exit 2
echo "guest-net-fetched: $(sha256sum </tmp/blob | cut -d' ' -f1)"
mkdir -p /tmp/www
yes vmm-virtio-net | head -c 300000 >/tmp/www/gfile
httpd -p 80 -h /tmp/www || exit 3
echo "guest-net-serving: $(sha256sum </tmp/www/gfile | cut -d' ' -f1)"
sleep 600
