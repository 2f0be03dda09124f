package probe_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/badgateway/badgateway/probe"
)

// fakeFPM serves a php-fpm-like ping and status page with net/http/fcgi
// on a unix socket in a temporary directory, and returns the socket path
// and a function that stops it.
func fakeFPM() (string, func()) {
	dir, err := os.MkdirTemp("", "probe-example")
	if err != nil {
		panic(err)
	}
	sock := filepath.Join(dir, "php-fpm.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fcgi.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/ping":
				io.WriteString(w, "pong")
			case "/status":
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"pool":"www","process manager":"static","start time":1795221618,"start since":10,`+
					`"accepted conn":7,"listen queue":0,"max listen queue":0,"listen queue len":0,"idle processes":0,`+
					`"active processes":1,"total processes":1,"max active processes":1,"max children reached":0,`+
					`"slow requests":0, "processes":[{"pid":16389,"state":"Running","start time":1795221618,`+
					`"start since":10,"requests":7,"request duration":90,"request method":"GET",`+
					`"request uri":"\/status?json&full","content length":0,"user":"-","script":"-",`+
					`"last request cpu":0.00,"last request memory":0}]}`)
			default:
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, "File not found.\n")
			}
		}))
	}()
	return sock, func() { l.Close(); <-done; os.RemoveAll(dir) }
}

func ExampleProber_Ping() {
	sock, stop := fakeFPM()
	defer stop()

	var p probe.Prober // the zero value is ready to use
	resp, err := p.Ping(context.Background(), probe.Target{
		Kind: probe.KindFastCGI, Network: "unix", Address: sock, PingPath: "/ping",
	})
	if err != nil {
		fmt.Println("ping failed:", err)
		return
	}
	fmt.Println(resp.Status, string(resp.Body), resp.ProtocolStatus)
	// Output:
	// 200 pong FCGI_REQUEST_COMPLETE
}

func ExampleProber_Status() {
	sock, stop := fakeFPM()
	defer stop()

	var p probe.Prober
	st, _, err := p.Status(context.Background(), probe.Target{
		Kind: probe.KindFastCGI, Network: "unix", Address: sock, StatusPath: "/status",
	})
	if err != nil {
		fmt.Println("status failed:", err)
		return
	}
	fmt.Printf("pool %s, pm %s: %d of %d processes active, listen queue %d\n",
		st.Pool, st.ProcessManager, st.ActiveProcesses, st.TotalProcesses, st.ListenQueue)
	for _, pr := range st.Processes {
		fmt.Printf("pid %d %s %s %s for %d µs\n", pr.PID, pr.State, pr.RequestMethod, pr.RequestURI, pr.RequestDuration)
	}
	// Output:
	// pool www, pm static: 1 of 1 processes active, listen queue 0
	// pid 16389 Running GET /status?json&full for 90 µs
}

func ExampleProber_Probe() {
	sock, stop := fakeFPM()
	defer stop()

	var p probe.Prober
	for _, t := range []probe.Target{
		{Kind: probe.KindFastCGI, Network: "unix", Address: sock, PingPath: "/ping", StatusPath: "/status"},
		{Kind: probe.KindFastCGI, Network: "unix", Address: filepath.Join(filepath.Dir(sock), "gone.sock"), PingPath: "/ping"},
	} {
		r := p.Probe(context.Background(), t)
		if r.DialErr != nil {
			// Errno gives the number nginx logs: "(2: No such file or directory)".
			fmt.Printf("%s: dial errno %d, speaks %v\n", filepath.Base(t.Address), probe.Errno(r.DialErr), r.Speaks)
			continue
		}
		fmt.Printf("%s: speaks %v, ping %q, pool %s\n", filepath.Base(t.Address), r.Speaks, r.Ping.Body, r.Status.Pool)
	}
	// Output:
	// php-fpm.sock: speaks fastcgi, ping "pong", pool www
	// gone.sock: dial errno 2, speaks unknown
}

func ExampleAccounts_Identity() {
	users, _ := probe.ParsePasswd(strings.NewReader(
		"root:x:0:0:root:/root:/bin/bash\n"+
			"www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"), "/etc/passwd")
	groups, _ := probe.ParseGroup(strings.NewReader(
		"root:x:0:\n"+
			"www-data:x:33:\n"+
			"php-sockets:x:900:www-data\n"), "/etc/group")
	a := probe.Accounts{Users: users, Groups: groups}

	// nginx.conf: user www-data;
	id, err := a.Identity("www-data", "")
	fmt.Println(id.User, id.UID, id.GID, id.Groups, err)
	_, err = a.Identity("nginx", "")
	fmt.Println(err)
	// Output:
	// www-data 33 33 [33 900] <nil>
	// probe: user "nginx": unknown user
}

func ExampleProber_Host() {
	// Root points the prober at a copy of a real host's /proc and
	// /sys/fs/cgroup files; the zero value reads the live system.
	p := probe.Prober{Root: filepath.Join("testdata", "host", "v1")}
	h, err := p.Host(context.Background())
	if err != nil {
		fmt.Println("problems:", err)
	}
	fmt.Printf("MemAvailable %d MiB, somaxconn %d\n", h.MemAvailable>>20, h.Somaxconn)
	limit := "unlimited"
	if h.Cgroup.Max != probe.Unlimited {
		limit = fmt.Sprint(h.Cgroup.Max>>20, " MiB")
	}
	fmt.Printf("cgroup v%d memory: %d MiB used, limit %s\n", h.Cgroup.Version, h.Cgroup.Current>>20, limit)
	for _, fp := range h.FPM {
		if fp.IsMaster() {
			fmt.Printf("master %d (%s)\n", fp.PID, fp.Config)
			continue
		}
		fmt.Printf("child %d pool %s\n", fp.PID, fp.Pool)
	}
	// Output:
	// MemAvailable 23393 MiB, somaxconn 4096
	// cgroup v1 memory: 379 MiB used, limit unlimited
	// master 12976 (php-fpm.conf)
	// child 12978 pool www
	// child 12979 pool www
}

func ExampleProber_Access() {
	dir, _ := os.MkdirTemp("", "probe-access")
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "php-fpm.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	nobody := probe.Identity{User: "nobody", UID: 65534, GID: 65534, Groups: []uint32{65534}}

	var p probe.Prober
	os.Chmod(dir, 0o700) // MkdirTemp's mode; the owner is whoever runs this
	a, err := p.Access(context.Background(), sock, nobody)
	step := a.Steps[len(a.Steps)-1]
	fmt.Println(a.Decision, step.Need, step.Path == dir, step.Class)
	fmt.Println(errors.Is(err, syscall.EACCES))

	os.Chmod(dir, 0o755)
	os.Chmod(sock, 0o666)
	a, err = p.Access(context.Background(), sock, nobody)
	fmt.Println(a.Decision, err)
	// Output:
	// denied search true other
	// true
	// granted <nil>
}

func ExampleProber_HTTP() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Method", r.Method)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	var p probe.Prober
	res, err := p.HTTP(context.Background(), probe.Target{
		Kind: probe.KindHTTP, Network: "tcp", Address: srv.Listener.Addr().String(), Host: "app.example", URI: "/health",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Proto, res.Status, res.Header.Get("X-Method"))
	// Output:
	// HTTP/1.1 503 HEAD
}
