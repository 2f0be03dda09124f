// Package fpmconf reads php-fpm's configuration (php-fpm.conf, pool files
// and their include= files) and php.ini into a typed model with positions,
// and checks it the way php-fpm 8.2 checks it at start-up.
//
// # Reading
//
// Load parses the files as php-fpm does (sapi/fpm/fpm/fpm_conf.c): one
// line at a time through PHP's INI syntax (Zend/zend_ini_scanner.l and
// zend_ini_parser.y in ZEND_INI_SCANNER_NORMAL mode, as PHP 8.2 has them),
// each key handed to php-fpm's handler for it. In practice:
//
//   - ';' starts a comment anywhere outside quotes ("10s;" is "10s"); '#'
//     does not: php-fpm 8 rejects a "# comment" line.
//   - Double quotes, \" \\ \$ escapes and adjacent pieces concatenate
//     ("a" 'b' c is "abc"); single quotes are raw; backticks are kept.
//   - Unquoted yes/on/true become "1" and no/off/false/none/null become ""
//     (any case); constant expressions such as E_ALL & ~E_DEPRECATED are
//     evaluated with PHP's core constants.
//   - ${NAME} is expanded from the environment (Options.LookupEnv) while
//     parsing, in section names too.
//   - Scalar keys are case-insensitive and the last one wins; array keys
//     (php_value[...], php_admin_value[...], php_flag, php_admin_flag,
//     env[...], access.suppress_path[]) are case-sensitive and every entry
//     is kept.
//   - $pool is replaced by the pool name in string values.
//   - Times take one unit letter (s, m, h, d; none = seconds) and the rest
//     is read with C's atoi: "1m30s" is 1 second, as in php-fpm.
//   - include= patterns are globbed like glob(3) with GLOB_ERR, relative to
//     the prefix, at most 5 files deep; the included lines continue the
//     section that was current.
//
// # Model
//
// A Config has the Global settings and the Pools. Every value is a
// Setting: the effective value php-fpm uses (its default when unset, or
// what php-fpm derives: pm.start_servers for dynamic pools, zero spare
// settings for ondemand, resolved relative paths, ping.response "pong",
// the default access.format) and the Pos of the text that set it. Pools
// also give the parsed listen address (Listen: unix path, or TCP host and
// port with port-only, 0.0.0.0 and [::] marked as any-host), socket
// ownership (Pool.SocketPermissions), the kernel's accept queue for a
// somaxconn (Pool.ListenQueue), and the PHP ini values they set.
//
// LoadPHPIni reads a php.ini (the whole file through the same INI rules,
// stopping at the first syntax error as PHP does). Pool.PHPIni gives the
// value a pool's PHP runs with for a directive: php_admin_value beats
// php_value, which beats php.ini, which beats PHP's default
// (PHPIniDefault); among duplicate php_value entries the first in the file
// wins, because php-fpm applies its prepended list from newest to oldest.
// That order was measured on a running php-fpm 8.2 (live_test.go).
//
// # Checks
//
// Load then runs php-fpm's own start-up validation (fpm_conf.c
// fpm_conf_post_process and fpm_conf_process_all_pools, fpm_unix.c
// fpm_unix_test_config) and reports each failure as a badgateway.Problem
// whose Err is an *Error with php-fpm's wording (catalog fpm-messages.md
// §2.8) and level, positioned at the value concerned (or at the pool's
// [name] header when the value is unset). php-fpm stops at the first
// error; Load goes on, so one bad line hides nothing. Checks that depend
// on the machine (directories, users, groups) can be turned off with
// Options.SkipHostChecks for files copied from another host.
//
// # Proof
//
// oracle_test.go runs the real php-fpm8.2 -tt on the project's corpus of
// real configuration files and on the edge cases of
// testdata/fpmconf/edge.txtar and requires every setting it prints, every
// warning, and the reason for every rejected file to equal Load's;
// random_test.go does the same on demand for thousands of random files.
// phpini_test.go compares LoadPHPIni with php8.2's ini_get.
//
// gopkg.in/ini.v1 is not used to read the files, even as a line splitter:
// with the most faithful options it still drops "#" lines that php-fpm
// rejects, strips the backticks php-fpm keeps, gives no positions, loses
// the order of repeated keys across names, and fails a whole file on one
// line without '='; TestIniV1Differences shows three of them.
//
// Everything here is safe for concurrent use: Load and LoadPHPIni share
// no state, and the values they return are not modified afterwards.
package fpmconf
