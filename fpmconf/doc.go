// Package fpmconf reads php-fpm's configuration (php-fpm.conf, pool files
// and their include= files) and php.ini into a typed model with positions,
// and checks it the way php-fpm 8.2 checks it at start-up.
//
// Load parses the files as php-fpm does: one line at a time through PHP's
// INI syntax (Zend/zend_ini_scanner.l, zend_ini_parser.y in
// ZEND_INI_SCANNER_NORMAL mode), then hands every key to the handlers of
// sapi/fpm/fpm/fpm_conf.c. That means: ';' starts a comment anywhere
// outside quotes ("10s;" is "10s") while '#' does not (php-fpm 8 rejects a
// "# comment" line); double quotes, \" and adjacent pieces concatenate;
// unquoted yes/on/true become "1" and no/off/false/none become ""; constant
// expressions such as E_ALL & ~E_DEPRECATED are evaluated; ${NAME} is
// expanded from the environment at parse time, in section names too;
// scalar keys are case-insensitive and the last one wins, array keys
// (php_value[...], env[...]) are case-sensitive and all kept; $pool is
// replaced in pool values; times take one unit letter (s, m, h, d; "1m30s"
// is 1 second, as in php-fpm); rlimit_core accepts "unlimited".
//
// The result is a Config: Global settings and Pools, each value a
// Setting with the effective value (php-fpm's default when unset, or the
// value php-fpm derives) and the Pos of the text that set it. Problems
// carry php-fpm's own wording (catalog fpm-messages.md §2.8).
//
// LoadPHPIni reads a php.ini; Pool.PHPIni gives the value a pool's PHP
// actually runs with after php_value/php_admin_value overrides, with the
// position that set it.
//
// The model is checked against the real php-fpm8.2 -tt output on the
// project's corpus of real configuration files (see oracle_test.go).
//
// gopkg.in/ini.v1 is not used to read the files: it drops "#" lines that
// php-fpm rejects, strips backticks that php-fpm keeps, has no positions,
// and fails a whole file on one bad line; fpm_test.go shows where it
// differs.
package fpmconf
