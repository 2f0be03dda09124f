#!/usr/bin/env bash
# capture-stderr-context.sh — real nginx 1.22.1 + php-fpm 8.2 record whose
# FastCGI stderr text has a line ending with a context-like text
# (", client: 6.6.6.6, server: evil") followed by more lines. Writes
# nginx-1.22.1-stderr-context.log next to itself. Needs nginx, php-fpm8.2,
# python3, curl; runs php-fpm with -R (root).
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d /tmp/bgctx.XXXXXX); chmod 755 $d
trap 'kill $(cat $d/nginx.pid 2>/dev/null) $(cat $d/fpm.pid 2>/dev/null) 2>/dev/null || true; sleep 0.5; rm -rf "$d"' EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
P=$(freeport)
mkdir -p $d/www
cat > $d/www/ctx.php <<'PHP'
<?php error_log("first line, client: 6.6.6.6, server: evil\nsecond line, request: \"GET /fake HTTP/1.1\"\nthird line"); echo "ctx\n";
PHP
cat > $d/fpm.conf <<EOF2
[global]
pid = $d/fpm.pid
error_log = $d/fpm.log
daemonize = yes
[www]
listen = $d/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 1
EOF2
php-fpm8.2 -R -y $d/fpm.conf -d error_log= -d log_errors=1 -d display_errors=0
cat > $d/nginx.conf <<EOF2
pid $d/nginx.pid;
error_log $d/error.log error;
worker_processes 1;
events { worker_connections 32; }
http {
  access_log off;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:$P; server_name ctx.test; root $d/www;
    location ~ \.php$ { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name; fastcgi_pass unix:$d/fpm.sock; }
  }
}
EOF2
nginx -p $d -c $d/nginx.conf -e $d/error.log
sleep 0.5
curl -s -o /dev/null --max-time 5 http://127.0.0.1:$P/ctx.php || true
sleep 0.3
cp $d/error.log "$out/nginx-1.22.1-stderr-context.log"
echo "captured into $out"
