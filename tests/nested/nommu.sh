# Sourced by the NOMMU Linux tests: boot /guest/nommu/Image under vmm with
# commands piped into its shell, and read what they print.
NOMMU=/guest/nommu
# nommu_boot NAME 'COMMANDS' [VMM ARGS...]: boot the guest with COMMANDS on
# its console (then exit: the guest powers off), its kernel quiet unless
# the VMM ARGS give a command line; its console in
# /tmp/NAME.txt, vmm's messages in /tmp/NAME.err, vmm's status in
# $nommu_status, the seconds it took in $nommu_secs.
nommu_boot() {
	nb_name=$1 nb_cmds=$2
	shift 2
	printf '%s\nexit\n' "$nb_cmds" >"/tmp/$nb_name.in"
	nb_start=$(date +%s)
	vmm run --kernel $NOMMU/Image --cmdline "console=ttyS0 quiet" "$@" <"/tmp/$nb_name.in" >"/tmp/$nb_name.out" 2>"/tmp/$nb_name.err"
	nommu_status=$?
	nommu_secs=$(($(date +%s) - nb_start))
	tr -d '\r' <"/tmp/$nb_name.out" >"/tmp/$nb_name.txt"
	echo "# $nb_name: vmm exited $nommu_status after ${nommu_secs}s"
	# a failed run says why, whatever the checks then look at
	[ "$nommu_status" -eq 0 ] || show "/tmp/$nb_name.err" 40
}
# The commands every boot runs, and what they print: the console echoes
# the commands too, wherever they land among the output, so the checks
# look for text that only the output holds, anywhere in a line.
NOMMU_CMDS='uname -sr | tr " " _
echo one two three | tr a-z A-Z
sleep 1 & wait; echo background-$((40 + 2))
grep -c ^processor /proc/cpuinfo | sed s/^/cpus=/
grep ttyS0 /proc/interrupts | sed s/^/irq-line:/'
nommu_check_shell() {
	nc_name=$1 nc_what=$2 nc_cpus=$3 nc_failed=$failures
	check "$nc_what: vmm exits 0 when the shell's exit powers the guest off ($nommu_status)" [ "$nommu_status" -eq 0 ]
	check "$nc_what: uname says Linux 6.12" grep -q 'Linux_6\.12' "/tmp/$nc_name.txt"
	check "$nc_what: a pipeline runs (vfork+exec)" grep -q 'ONE TWO THREE' "/tmp/$nc_name.txt"
	check "$nc_what: a background job and the timer (sleep 1)" grep -q 'background-42' "/tmp/$nc_name.txt"
	check "$nc_what: /proc/cpuinfo shows $nc_cpus harts" grep -q "cpus=$nc_cpus" "/tmp/$nc_name.txt"
	# "irq-line: 12: COUNT... ttyS0", one count per hart
	check "$nc_what: the console takes UART interrupts" \
		awk '{ for (i = 1; i < NF; i++) if ($i == "irq-line:") for (j = i + 2; j <= NF && $j ~ /^[0-9]+$/; j++) n += $j } END { exit !(n > 0) }' "/tmp/$nc_name.txt"
	[ "$failures" -eq "$nc_failed" ] || { show "/tmp/$nc_name.txt" 30; show "/tmp/$nc_name.err"; }
}
