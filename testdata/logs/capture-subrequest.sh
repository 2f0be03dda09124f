#!/usr/bin/env bash
# capture-subrequest.sh — real nginx 1.22.1 error lines of subrequests
# (", subrequest: "…"" in the context): a mirror subrequest and an
# auth_request subrequest to a refused upstream. Writes
# nginx-1.22.1-subrequest.log next to itself. Needs nginx, python3, curl.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d /tmp/bgsub.XXXXXX); chmod 755 $d
trap 'kill $(cat $d/nginx.pid 2>/dev/null) 2>/dev/null || true; sleep 0.3; rm -rf "$d"' EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
P=$(freeport); DEAD=$(freeport)
cat > $d/nginx.conf <<EOF2
pid $d/nginx.pid;
error_log $d/error.log info;
worker_processes 1;
events { worker_connections 32; }
http {
  access_log off;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:$P;
    server_name sub.test;
    root $d/www;
    # "return" would run in the rewrite phase, before mirror and auth_request:
    # serve static files instead.
    location /mirrored { mirror /mirror; }
    location = /mirror { internal; proxy_pass http://127.0.0.1:$DEAD/copy; }
    location /private { auth_request /auth; }
    location = /auth { internal; proxy_pass http://127.0.0.1:$DEAD/check; }
  }
}
EOF2
mkdir -p $d/www && echo ok > $d/www/mirrored && echo ok > $d/www/private
nginx -p $d -c $d/nginx.conf -e $d/error.log
sleep 0.3
curl -s -o /dev/null --max-time 5 -H 'Referer: http://ref.test/' http://127.0.0.1:$P/mirrored || true
curl -s -o /dev/null --max-time 5 http://127.0.0.1:$P/private || true
sleep 0.3
cp $d/error.log "$out/nginx-1.22.1-subrequest.log"
echo "captured into $out"
