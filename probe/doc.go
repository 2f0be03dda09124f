// Package probe looks at the live system: is anything listening at an
// upstream address, can nginx's user open that socket, does php-fpm answer
// its ping and status pages, is the pool saturated, what does a TLS
// upstream present, what does DNS say, how much memory do php-fpm children
// use. It returns typed results, never verdicts: package classify turns
// them into causes.
package probe
