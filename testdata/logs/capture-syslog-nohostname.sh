#!/usr/bin/env bash
# capture-syslog-nohostname.sh — real nginx 1.22.1 error log through
# `error_log syslog:server=…,nohostname`, received by a UDP sink: the header
# is "<PRI>Mmm dd HH:MM:SS TAG: " without the HOST field. Writes
# nginx-1.22.1-syslog-nohostname.log next to itself. Needs nginx, python3, curl.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d /tmp/bgsys.XXXXXX); chmod 755 $d
trap 'kill $(cat $d/nginx.pid 2>/dev/null) $sinkpid 2>/dev/null || true; sleep 0.3; rm -rf "$d"' EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
freeudp() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
P=$(freeport); DEAD=$(freeport); SYSLOG=$(freeudp)
cat > $d/nginx.conf <<EOF2
pid $d/nginx.pid;
error_log syslog:server=127.0.0.1:$SYSLOG,nohostname,tag=nginx_err,facility=local7 warn;
worker_processes 1;
events { worker_connections 32; }
http {
  access_log off;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  server { listen 127.0.0.1:$P; location / { proxy_pass http://127.0.0.1:$DEAD; } }
}
EOF2
python3 - "$SYSLOG" "$d/syslog.log" <<'PY' &
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",int(sys.argv[1])))
with open(sys.argv[2],"ab",buffering=0) as f:
    while True:
        b,_=s.recvfrom(65536); f.write(b+b"\n")
PY
sinkpid=$!
sleep 0.3
nginx -p $d -c $d/nginx.conf -e $d/startup.log
sleep 0.3
curl -s -o /dev/null --max-time 5 http://127.0.0.1:$P/x || true
sleep 0.3
cp $d/syslog.log "$out/nginx-1.22.1-syslog-nohostname.log"
echo "captured into $out"
