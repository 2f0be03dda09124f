#!/usr/bin/env bash
# capture.sh — produce real nginx 1.22.1 / php-fpm 8.2 error-log lines for
# logparse's tests. Runs real servers in a temp dir on free loopback ports,
# provokes one failure per request, and copies the logs nginx wrote here.
#
#   testdata/logs/capture.sh            # writes nginx-1.22.1-*.log next to itself
#
# Re-running it changes paths, ports, pids and times in the logs: the
# literal lines and line numbers in logparse/*_test.go must then be updated.
#
# Needs nginx, php-fpm8.2, curl and python3 (for raw requests and a UDP
# syslog sink). Runs as root (php-fpm -R).
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d /tmp/bgcap.XXXXXX)
trap 'kill $(cat $d/nginx.pid 2>/dev/null) $(cat $d/fpm.pid 2>/dev/null) $sinkpid 2>/dev/null || true; sleep 0.5; rm -rf "$d"' EXIT

freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
freeudp() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
P=$(freeport); DEAD=$(freeport); SLOWP=$(freeport); SYSLOG=$(freeudp); DNS=$(freeudp)
chmod 755 $d
mkdir -p $d/www $d/tmp
cat > $d/www/index.html <<<'ok'
cat > $d/www/big.php <<'PHP'
<?php error_log(str_repeat("A", 3000)); echo "big\n";
PHP
cat > $d/www/bignl.php <<'PHP'
<?php error_log(str_repeat("B", 900) . "\n" . str_repeat("C", 900) . "\n" . str_repeat("D", 900)); echo "bignl\n";
PHP
cat > $d/www/multi.php <<'PHP'
<?php error_log("first message"); error_log("second message"); trigger_error("third, a warning", E_USER_WARNING); echo "multi\n";
PHP
cat > $d/www/newline.php <<'PHP'
<?php error_log("line one\nline two\nline three"); echo "nl\n";
PHP
cat > $d/www/fatal.php <<'PHP'
<?php undefined_function_xyz();
PHP
cat > $d/www/header.php <<'PHP'
<?php header("X-Big: " . str_repeat("h", 8000)); echo "h\n";
PHP
cat > $d/www/sleep.php <<'PHP'
<?php sleep(3); echo "slept\n";
PHP
cat > $d/www/quote.php <<'PHP'
<?php error_log('he said "hi", client: 6.6.6.6, server: evil while faking'); echo "q\n";
PHP

cat > $d/fpm.conf <<EOF2
[global]
pid = $d/fpm.pid
error_log = $d/fpm.log
daemonize = yes
; PHP messages longer than log_limit (default 1024) are cut by php-fpm itself;
; raise it so that nginx's own 2048-byte cut shows.
log_limit = 8192
[www]
listen = $d/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 2
request_terminate_timeout = 2s
catch_workers_output = yes
EOF2
# A second pool, killed by request_terminate_timeout, on TCP.
cat >> $d/fpm.conf <<EOF2
[tcp]
listen = 127.0.0.1:$SLOWP
pm = static
pm.max_children = 1
request_terminate_timeout = 1s
EOF2
php-fpm8.2 -R -y $d/fpm.conf -d error_log= -d display_errors=0 -d log_errors=1

cat > $d/nginx.conf <<EOF2
pid $d/nginx.pid;
error_log $d/error.log info;
error_log syslog:server=127.0.0.1:$SYSLOG,tag=nginx info;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fcgi; uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
  upstream dead { server 127.0.0.1:$DEAD max_fails=1 fail_timeout=30s; }
  server {
    listen 127.0.0.1:$P;
    server_name capture.test;
    root $d/www;
    location ~ \.php$ { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name; fastcgi_pass unix:$d/fpm.sock; fastcgi_buffer_size 4k; }
    location /nosock { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$d/missing.sock; }
    location /refused { fastcgi_pass 127.0.0.1:$DEAD; include /etc/nginx/fastcgi_params; }
    location /proxyrefused { proxy_pass http://127.0.0.1:$DEAD/api; }
    location /group { proxy_pass http://dead; }
    location /killed { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $d/www/sleep.php; fastcgi_pass 127.0.0.1:$SLOWP; }
    location /timeout { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $d/www/sleep.php; fastcgi_read_timeout 1s; fastcgi_pass unix:$d/fpm.sock; }
    location /loop { try_files \$uri /loop2; }
    location /loop2 { try_files \$uri /loop; }
    location /resolve { resolver 127.0.0.1:$DNS; resolver_timeout 1s; set \$b backend.invalid; proxy_pass http://\$b; }
    location /noresolver { set \$b backend.invalid; proxy_pass http://\$b; }
  }
}
EOF2
mkdir -p $d/tmp
python3 - "$SYSLOG" "$d/syslog.log" <<'PY' &
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",int(sys.argv[1])))
with open(sys.argv[2],"ab",buffering=0) as f:
    while True:
        b,_=s.recvfrom(65536); f.write(b+b"\n")
PY
sinkpid=$!
sleep 0.3
nginx -p $d -c $d/nginx.conf -e $d/error.log
sleep 0.5
u=http://127.0.0.1:$P
c() { curl -s -o /dev/null --max-time 5 "$@" || true; }
c $u/missing.html
c -H 'Referer: http://ref.test/page?a=1' $u/missing.html
c $u/nosock
c $u/refused
c $u/proxyrefused/x
c $u/group/a; c $u/group/b
c $u/nothere.php
c $u/big.php
c $u/multi.php
c $u/bignl.php
c $u/newline.php
c $u/fatal.php
c $u/header.php
c $u/timeout
c $u/killed
c $u/loop
c $u/resolve
c $u/noresolver
c $u/quote.php
# Client-controlled text with quotes and fake context fields (raw request).
python3 - "$P" <<'PY'
import socket,sys,time
def raw(b):
    s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.sendall(b)
    try: s.recv(65536)
    except Exception: pass
    s.close()
raw(b'GET /x",host:"evil.html HTTP/1.1\r\nHost: cap"ture, client: 9.9.9.9\r\nReferer: x", referrer: "y, client: 8.8.8.8, server: fake\r\nConnection: close\r\n\r\n')
raw(b'GET /y",%20client:%205.5.5.5.html HTTP/1.1\r\nHost: capture.test\r\nReferer: http://r.test/", client: 8.8.8.8, server: fake, request: "GET / HTTP/1.1\r\nConnection: close\r\n\r\n')
raw(b'GET /caf\xc3\xa9\xff.html HTTP/1.1\r\nHost: capture.test\r\nConnection: close\r\n\r\n')
raw(b'GET /' + b'L'*2100 + b' HTTP/1.1\r\nHost: capture.test\r\nConnection: close\r\n\r\n')
s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.sendall(b'GET /index.html HTTP/1.1\r\nHost: x\r\n'); time.sleep(0.2); s.close()
PY
# Crash the worker: the master logs "worker process N exited on signal 11".
w=$(pgrep -P $(cat $d/nginx.pid) | head -1); kill -SEGV $w; sleep 0.5
nginx -p $d -c $d/nginx.conf -s reload; sleep 0.5
nginx -p $d -c $d/nginx.conf -s quit; sleep 0.8
# A console start-up error.
printf 'events {}\nhttp { bogus_directive on; }\n' > $d/bad.conf
nginx -p $d -c $d/bad.conf -e $d/bad-error.log -t 2> $d/console.log || true
kill $(cat $d/fpm.pid); sleep 0.5
cp $d/error.log "$out/nginx-1.22.1-capture.log"
cp $d/syslog.log "$out/nginx-1.22.1-syslog.log"
cp $d/console.log "$out/nginx-1.22.1-console.log"
cp $d/fpm.log "$out/php-fpm-8.2-capture.log"
echo "captured into $out"
