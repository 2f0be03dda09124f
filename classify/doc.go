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
// # Other logs: correlation
//
// One nginx record often cannot decide: a FastCGI reset (104) is a
// request_terminate_timeout kill, a crash, an OOM kill, a reload or a
// dropped connection alike. php-fpm writes which one it was in the same
// second. AddFPM indexes php-fpm's error-log records; every nginx record
// added after them (so add php-fpm's logs first) is looked up within
// Options.Window (2 s by default, for clock skew between the files). A
// decisive php-fpm record becomes the verdict's Related evidence; a php-fpm
// log that covers the time and shows nothing rules the logged causes out.
// Where one-second times cannot order the records (php-fpm stopped and
// started in the very second of nginx's failure) the verdict stays
// undecided and says so.
//
// # Config checks
//
// Check (and CheckWith, which adds php.ini and host facts) runs every
// config check of the registry (Checks, LookupCheck; WriteCheckTable
// generates the README's table) over an nginx and a php-fpm configuration
// (either may be nil) and returns Findings: a stable check code, the cause
// it predicts, a severity, the positions in both configs (the nginx
// fastcgi_pass line and the pool's listen line), a message with the
// concrete values and fixes as edits. A "# badgateway:ignore CODE reason"
// (nginx) or "; badgateway:ignore CODE reason" (php-fpm) comment with a
// reason suppresses a finding on its line and the next; the finding is
// still returned, marked Suppressed. SARIF encodes findings as a SARIF
// 2.1.0 log for code-scanning tools.
//
// Given the configs in Options, the Diagnoser uses them too: a connect
// failure on an address no pool listens on is listen_mismatch, on one a
// pool does listen on it is fpm_down; proxy_pass to a php-fpm address is
// protocol_mismatch; and verdicts link the findings that predict them.
//
// # Live probes
//
// PlanProbes derives from the two configurations what to probe (every
// *_pass peer, through upstream groups; every pool listen and
// pm.status_listen; names nginx resolves per request), package probe runs
// the probes, ClassifyProbe (and ClassifyProbes, which reads a pool's
// results against its status_listen's) maps each result to candidate
// causes, and Diagnoser.AddProbe folds them into the report: a probe raises
// or decides the log verdict of the same upstream, and a cause no log
// showed becomes a verdict whose evidence is the target's config position
// and what the probe saw.
//
// The package does no I/O and reads no clock; parse inputs with logparse,
// probe with probe.
package classify
