package classify

import "github.com/badgateway/badgateway/logparse"

// refine lets what the Diagnoser knows beyond one record (the configs in
// Options) change a record's symptom: reorder or replace its candidates,
// raise or lower their confidence. It returns s unchanged when it knows
// nothing more.
func (d *Diagnoser) refine(s Symptom, e *logparse.ErrorEntry) Symptom {
	_ = e
	return s
}
