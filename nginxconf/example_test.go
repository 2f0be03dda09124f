package nginxconf_test

import (
	"fmt"
	"testing/fstest"

	"github.com/badgateway/badgateway/nginxconf"
)

// Load a configuration and answer the 502 questions for each PHP
// location: where does it pass, with which read timeout, and is
// SCRIPT_FILENAME set — each with the position that decides it.
func ExampleLoad() {
	fsys := fstest.MapFS{
		"etc/nginx/nginx.conf": {Data: []byte(`user www-data;
events {}
http {
    fastcgi_read_timeout 120s;
    include sites-enabled/*;
}
`)},
		"etc/nginx/sites-enabled/app": {Data: []byte(`server {
    listen 80;
    location ~ \.php$ {
        include fastcgi.conf;
        fastcgi_pass unix:/run/php/php8.2-fpm.sock;
    }
}
`)},
		"etc/nginx/fastcgi.conf": {Data: []byte("fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n")},
	}
	// FS is only needed here to keep the example self-contained; with a
	// nil FS, Load reads the real files.
	cfg, err := nginxconf.Load("/etc/nginx/nginx.conf", &nginxconf.Options{FS: fsys})
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println("workers run as", cfg.Main.User.Value, "set at", cfg.Main.User.Pos())
	for p := range cfg.Passes() {
		s := p.Location.Settings
		fmt.Println(p.Module, "to unix:"+p.Unix, "at", p.Directive.Pos)
		fmt.Println("  read timeout", s.FastCGI.ReadTimeout.Value, "set at", s.FastCGI.ReadTimeout.Pos())
		if sf, ok := s.FastCGI.Param("SCRIPT_FILENAME"); ok {
			fmt.Println("  SCRIPT_FILENAME", sf.Value, "at", sf.Directive.Pos, "included from", sf.Directive.IncludedFrom[0])
		}
	}
	// Output:
	// workers run as www-data set at /etc/nginx/nginx.conf:1:1
	// fastcgi to unix:/run/php/php8.2-fpm.sock at /etc/nginx/sites-enabled/app:5:9
	//   read timeout 2m0s set at /etc/nginx/nginx.conf:4:5
	//   SCRIPT_FILENAME $document_root$fastcgi_script_name at /etc/nginx/fastcgi.conf:1:1 included from /etc/nginx/sites-enabled/app:4:9
}

// Problems come with the model, never instead of it: print them one per
// line, each with its file:line:col and include chain.
func ExampleLoad_problems() {
	fsys := fstest.MapFS{
		"etc/nginx/nginx.conf": {Data: []byte("events {}\nhttp {\n    include missing.conf;\n    include site.conf;\n}\n")},
		"etc/nginx/site.conf":  {Data: []byte("server {\n    return 200 \"foo\"bar;\n}\n")},
	}
	cfg, err := nginxconf.Load("/etc/nginx/nginx.conf", &nginxconf.Options{FS: fsys})
	if err != nil {
		for _, p := range cfg.Problems {
			fmt.Println(p)
		}
	}
	fmt.Println("files read:", len(cfg.Files))
	// Output:
	// /etc/nginx/nginx.conf:3:5: open() "/etc/nginx/missing.conf" failed: open etc/nginx/missing.conf: file does not exist
	// /etc/nginx/site.conf:2: syntax error: unexpected "b" (included from /etc/nginx/nginx.conf:4:5)
	// files read: 2
}

// The output of "nginx -T" holds every file nginx read; LoadDump gives
// the same model as Load on the host it was taken on.
func ExampleLoadDump() {
	dump := []byte(`nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
events {}
http {
    include conf.d/*.conf;
}

# configuration file /etc/nginx/conf.d/app.conf:
upstream php { server 127.0.0.1:9000 max_fails=0; }
server { location / { fastcgi_pass php; } }

`)
	cfg, _ := nginxconf.LoadDump(dump, nil)
	for _, f := range cfg.Files {
		fmt.Println(f.Path, f.Statements, "statements")
	}
	u := cfg.Upstream("php")
	fmt.Println("upstream", u.Name, "peers", len(u.Servers), "max_fails", u.Servers[0].MaxFails, "at", u.Servers[0].Directive.Pos)
	// Output:
	// /etc/nginx/nginx.conf 3 statements
	// /etc/nginx/conf.d/app.conf 5 statements
	// upstream php peers 1 max_fails 0 at /etc/nginx/conf.d/app.conf:1:16
}

func ExampleParseMsec() {
	for _, s := range []string{"60s", "500ms", "1m30s", "75", "1h 5m"} {
		d, err := nginxconf.ParseMsec(s)
		fmt.Println(s, d, err)
	}
	// Output:
	// 60s 1m0s <nil>
	// 500ms 500ms <nil>
	// 1m30s 1m30s <nil>
	// 75 1m15s <nil>
	// 1h 5m 1h5m0s <nil>
}
