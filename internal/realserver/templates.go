package realserver

// The base configs every scenario starts from. They are text/template
// strings executed with the scenario's *Env; a scenario changes them by
// redefining the named blocks ({{define "location"}}…{{end}}) in
// Scenario.Nginx, Scenario.FPM and Scenario.PHPIni. The helper "addr NAME"
// gives a free loopback address, the same one for the same NAME in every
// template of a run.
//
// The nginx config is self-contained (no include of /etc/nginx files) so
// that the captured nginx.conf is the whole config nginx ran with.
const baseNginx = `# nginx.conf for scenario {{.Name}}, rendered by internal/realserver
{{block "user" .}}user www-data;{{end}}
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.NginxErrorLog}} info;
{{block "main" .}}{{end}}
events {
    {{block "events" .}}worker_connections 128;{{end}}
}

http {
    log_format upstreaminfo '$remote_addr - $remote_user [$time_local] "$request" '
                            '$status $body_bytes_sent "$http_referer" "$http_user_agent" '
                            'rt=$request_time ua="$upstream_addr" us="$upstream_status" '
                            'urt="$upstream_response_time" uct="$upstream_connect_time" '
                            'uht="$upstream_header_time"';
    access_log {{.NginxAccessLog}} upstreaminfo;

    client_body_temp_path {{.Dir}}/tmp/client_body;
    fastcgi_temp_path {{.Dir}}/tmp/fastcgi;
    proxy_temp_path {{.Dir}}/tmp/proxy;
    uwsgi_temp_path {{.Dir}}/tmp/uwsgi;
    scgi_temp_path {{.Dir}}/tmp/scgi;
    default_type text/plain;
{{block "http" .}}{{end}}
    server {
        listen {{.NginxAddr}};
        server_name localhost;
        root {{.DocRoot}};
        index index.php;

        # FastCGI params at server level: inherited by every location below.
        {{block "script_filename" .}}fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;{{end}}
        fastcgi_param QUERY_STRING $query_string;
        fastcgi_param REQUEST_METHOD $request_method;
        fastcgi_param CONTENT_TYPE $content_type;
        fastcgi_param CONTENT_LENGTH $content_length;
        fastcgi_param SCRIPT_NAME $fastcgi_script_name;
        fastcgi_param REQUEST_URI $request_uri;
        fastcgi_param DOCUMENT_URI $document_uri;
        fastcgi_param DOCUMENT_ROOT $document_root;
        fastcgi_param SERVER_PROTOCOL $server_protocol;
        fastcgi_param GATEWAY_INTERFACE CGI/1.1;
        fastcgi_param SERVER_SOFTWARE nginx/$nginx_version;
        fastcgi_param REMOTE_ADDR $remote_addr;
        fastcgi_param REMOTE_PORT $remote_port;
        fastcgi_param SERVER_ADDR $server_addr;
        fastcgi_param SERVER_PORT $server_port;
        fastcgi_param SERVER_NAME $server_name;
        fastcgi_param REDIRECT_STATUS 200;
{{block "server" .}}{{end}}

        location ~ \.php$ {
            fastcgi_pass {{block "pass" .}}unix:{{.FPMSocket}}{{end}};
{{block "location" .}}{{end}}
        }
    }
}
`

// baseFPM is php-fpm.conf: the global section and one pool "www" running
// as root (php-fpm is started with -R), whose socket belongs to nginx's
// worker user www-data, as Debian's www.conf has it.
const baseFPM = `; php-fpm.conf for scenario {{.Name}}, rendered by internal/realserver
[global]
pid = {{.Dir}}/php-fpm.pid
error_log = {{.FPMLogPath}}
log_level = notice
{{block "global" .}}{{end}}
[www]
{{block "pool_user" .}}user = root
group = root{{end}}
listen = {{block "listen" .}}{{.FPMSocket}}{{end}}
{{block "listen_perms" .}}listen.owner = www-data
listen.group = www-data
listen.mode = 0660{{end}}
{{block "pm" .}}pm = static
pm.max_children = 2{{end}}
access.log = {{.FPMAccessLogPath}}
access.format = "%R - %u %t \"%m %r%Q%q\" %s %f %{mili}d %{kilo}M %C%% pid=%p"
catch_workers_output = yes
slowlog = {{.FPMSlowLogPath}}
{{block "pool" .}}{{end}}
`

// basePHPIni is php.ini: errors logged (to stderr, which php-fpm hands to
// nginx as "FastCGI sent in stderr"), never displayed.
const basePHPIni = `; php.ini for scenario {{.Name}}, rendered by internal/realserver
display_errors = Off
display_startup_errors = Off
log_errors = On
html_errors = Off
error_reporting = E_ALL
memory_limit = 64M
max_execution_time = 30
{{block "ini" .}}{{end}}
`
