// Package nginxconf reads an nginx configuration — nginx.conf with every
// file it includes, a snippet such as sites-enabled/app, or the output of
// "nginx -T" — into a typed, positioned model: which location sends which
// request to which backend, with which effective timeouts, buffers and
// FastCGI params, and exactly where in which file each setting lives.
//
// # Entry points
//
//	cfg, err := nginxconf.Load("/etc/nginx/nginx.conf", nil)      // files on disk
//	cfg, err := nginxconf.LoadDump(out, nil)                       // output of nginx -T
//	cfg, err := nginxconf.Parse("nginx.conf", src, nil)            // bytes in memory
//	cfg, err := nginxconf.Load("sites-enabled/app", &nginxconf.Options{Context: "server"})
//
// All three return a Config that is never nil — whatever could be read —
// and the Problems met on the way (cfg.Problems; err is
// cfg.Problems.Err()). A missing include, a syntax error, an include
// cycle or a limit hit is one badgateway.Problem with the file:line:col
// where nginx would report it and the include chain ("included from
// sites-enabled/app:12:5, nginx.conf:62:5"); one bad file never hides the
// rest.
//
// # Faithful to nginx, not to a generic parser
//
// Statements are read by a tokenizer that reproduces nginx 1.22's
// ngx_conf_read_token (src/core/ngx_conf_file.c) byte for byte: quoting
// and escapes, "${var}", ")" after a quoted word, words such as foo}bar,
// comments, non-UTF-8 bytes kept as they are, the 4096-byte word limit
// ("too long parameter"), and nginx's own error messages at nginx's line.
// Blocks read with a custom handler (map, geo, types, split_clients,
// charset_map) reject "{" like nginx does; *_by_lua_block bodies are read
// like the lua module's lexer (Lua strings, long brackets and comments may
// hold braces) and kept opaque in Directive.Body. Includes are resolved as
// ngx_conf_include does: relative to the conf prefix, glob(3) order,
// hidden files skipped by wildcards, a missing plain path is an error and
// a pattern without match is not. A file included three times is three
// instances, each in its own context.
//
// Checked against nginx itself: on the 696 real files of the project
// corpus, every file nginx 1.22.1 accepts loads without a problem and with
// exactly nginx's statement count (in the file and in all the files it
// includes), and every file nginx rejects for its syntax gives a problem
// at nginx's line.
//
// github.com/tufanbarisyildirim/gonginx, the Go nginx parser, misreads
// several of these cases (a "C:\\" argument swallows the next
// directives, a stray "}" silently ends the file, quoted include paths are
// skipped, positions are the line of the closing ";"), so the model is
// not built on its tree; the tests keep a record of those differences and
// the benchmark compares against it.
//
// # The model
//
// Config.Root is the statement tree (Directive: name, unescaped args,
// Pos of the first byte, End of the ";" or "}", include chain). On top of
// it: Config.Main (user, group, worker_processes, worker_connections,
// worker_rlimit_nofile, error_log, pid), Config.HTTP with servers
// (listen, server_name), the location tree (modifier, match, nested
// locations, if and limit_except blocks), upstream groups (servers with
// weight, max_fails, fail_timeout, backup, down, max_conns; keepalive,
// keepalive_timeout, keepalive_requests), log_format and access_log, and
// every proxy_pass, fastcgi_pass, uwsgi_pass, scgi_pass and grpc_pass
// parsed into a Pass (unix path or host:port, URI part, variables, the
// upstream group it names).
//
// Every Server and Location carries Settings: the values in force after
// nginx's inheritance rules — scalars inherited from the enclosing level,
// array directives (fastcgi_param, proxy_set_header, access_log,
// error_log) only when the level sets none, try_files never — or nginx's
// default, each as a Setting with the Directive that set it. Durations
// and sizes use nginx's units (ParseMsec, ParseSec, ParseSize,
// ParseOffset).
//
// # Questions the model answers directly
//
//   - fastcgi_pass ↔ pool listen: Config.Passes() gives each Pass with
//     Unix or Host:Port, or Upstream.Servers for a group.
//   - socket user: Config.Main.User and Group.
//   - timeout ladder: Location.Settings.FastCGI.ReadTimeout (and Proxy…).
//   - keepalive prerequisites: Upstream.Keepalive with
//     Settings.Proxy.HTTPVersion and Settings.ProxyHeader("Connection"),
//     or Settings.FastCGI.KeepConn.
//   - resolver for variable pass: Pass.Variables, Pass.Upstream and
//     Settings.Resolver.
//   - proxy_pass URI part: Pass.HasURI and Pass.URI with
//     Location.Modifier and Match.
//   - header buffers: Settings.FastCGI.BufferSize, Settings.Proxy.BufferSize.
//   - SCRIPT_FILENAME: Settings.FastCGI.Param("SCRIPT_FILENAME").
//   - status/ping exposure: Location.Match and its Directive's children
//     (allow, deny).
//   - error_log level: Main.ErrorLogs and Settings.ErrorLogs.
//   - single-peer max_fails: Upstream.Servers[i].MaxFails, FailTimeout.
//
// Every answer has a Pos (and IncludedFrom) to point at.
//
// # Limits
//
// Options bound include depth, file reads, file size and the number of
// directives; include cycles, symbolic-link loops, directories and
// non-regular files such as /dev/zero (read as empty, like nginx does)
// give problems, never a hang. A Config is read-only once returned and
// safe for concurrent reads; Load, LoadDump and Parse keep no global
// state and may run concurrently.
//
// Not modelled: the stream and mail blocks (kept in the tree only), and
// directives outside the list above (in the tree, untyped).
package nginxconf
