// Package classify holds all of badgateway's judgment: why nginx answered
// 502, 504, or a status mistaken for them.
//
// # Causes
//
// Every verdict names a cause Code from the registry (Causes, Lookup). A
// code is a stable snake_case string — `fpm_request_terminate`,
// `socket_permission`, `header_too_big` — that is never renamed or reused;
// the README's cause table is generated from the registry by
// WriteCauseTable. The registry holds every code of the project's taxonomy
// plus a few codes added where the nginx message catalog shows a distinct
// cause (their Description says so).
//
// # Symptoms
//
// SymptomOf maps one nginx error-log record (logparse.ErrorEntry) to a
// Symptom: the catalogued message it is (every message of the nginx source
// that leads to a 502, 504 or a look-alike status, gRPC and HTTP/2-proxy
// ones included), the status a client usually gets, the upstream it names,
// and the candidate causes with the confidence the record alone gives
// them. It keys on the message prefix, the errno number and the action —
// never on the errno text, which differs between C libraries. It is pure
// and cheap, for log pipelines that tag each line.
//
// # Diagnosis
//
// A Diagnoser folds records into a Report in one pass with bounded memory:
// one Verdict per (cause, upstream) with its count, first and last time,
// sample evidence with file:line, the alternative causes the same records
// could come from and what would decide between them, and the fix. Verdicts
// are ranked most-likely-root-cause first: weight grows with confidence and
// count and with how much the status matters (502/504 first), and a
// consequence such as `no_live_upstreams` ranks below the failures that
// marked its servers down (RootCauses). Diagnose does the same for records
// already in memory.
//
// The package does no I/O and reads no clock; parse inputs with logparse.
package classify
