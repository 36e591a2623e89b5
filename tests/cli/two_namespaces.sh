#!/bin/sh
# Data-parallel training across two network namespaces joined by a veth pair: two "hosts" with
# their own addresses, rank 0 on 10.77.0.1 and rank 1 on 10.77.0.2, as on two machines. Needs
# root (ip netns); exits 77 (skipped) without it. Gloo is told the interface of each "host"
# (GLOO_SOCKET_IFNAME), as on machines whose host name resolves to the loopback address.
# Prints each rank's output and exit status.
#   two_namespaces.sh EBM SCRATCH_FOLDER
set -u
ebm=$1 folder=$2/two-namespaces
[ "$(id -u)" = 0 ] || { echo "skipped: needs root for ip netns"; exit 77; }
command -v ip > /dev/null || { echo "skipped: no ip command"; exit 77; }
a=ebm-a-$$ b=ebm-b-$$
cleanup() { ip netns del "$a" 2> /dev/null; ip netns del "$b" 2> /dev/null; }
trap cleanup EXIT INT TERM
ip netns add "$a" 2> /dev/null && ip netns add "$b" 2> /dev/null || { echo "skipped: ip netns add refused"; exit 77; }
ip link add va$$ netns "$a" type veth peer name vb$$ netns "$b" 2> /dev/null || { echo "skipped: no veth pairs here"; exit 77; }
ip -n "$a" addr add 10.77.0.1/24 dev va$$ && ip -n "$b" addr add 10.77.0.2/24 dev vb$$ || exit 2
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set va$$ up && ip -n "$b" link set vb$$ up || exit 2
rm -rf "$folder" && mkdir -p "$folder" || exit 2
tiny="train --data toy:moons:512 --arch mlp --width 16 --layers 2 --batch 64 --steps 20 --lr 2e-3 --checkpoint-every 0 --threads 1 --dist-timeout 60"
ip netns exec "$a" env GLOO_SOCKET_IFNAME=va$$ "$ebm" $tiny --rank 0 --world-size 2 --master 10.77.0.1:29577 \
  --out "$folder/r0.ebm" > "$folder/r0.log" 2>&1 &
first=$!
ip netns exec "$b" env GLOO_SOCKET_IFNAME=vb$$ "$ebm" $tiny --rank 1 --world-size 2 --master 10.77.0.1:29577 \
  --out "$folder/r1.ebm" > "$folder/r1.log" 2>&1
second=$?
wait $first
echo "rank 0 exit status $?"; cat "$folder/r0.log"
echo "rank 1 exit status $second"; cat "$folder/r1.log"
"$ebm" info --model "$folder/r0.ebm" 2>&1 | grep -E "step"
