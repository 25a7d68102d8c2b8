package ui

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// oplog keeps the last operations for the diagnostics panel. Entries are an
// operation name and a detail chosen by the caller: never a PIN or a code.
type oplog struct {
	mu      sync.Mutex
	max     int
	entries []opEntry
}

// opEntry is one operation.
type opEntry struct {
	Time   time.Time
	Op     string
	Detail string
}

// newOpLog keeps up to max entries.
func newOpLog(max int) *oplog { return &oplog{max: max} }

// Add records an operation.
func (l *oplog) Add(op, detail string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, opEntry{Time: time.Now(), Op: op, Detail: detail})
	if len(l.entries) > l.max {
		l.entries = l.entries[len(l.entries)-l.max:]
	}
}

// opFailed is the detail of a failed operation, in the customer's language
// (the report is read by the customer before it is sent).
func (a *App) opFailed(err error) string {
	return a.t("support.result.failed", map[string]any{"Err": message(err, a.lang)})
}

// Entries, oldest first.
func (l *oplog) Entries() []opEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]opEntry(nil), l.entries...)
}

// String is one line per entry.
func (l *oplog) String() string {
	var b strings.Builder
	for _, e := range l.Entries() {
		fmt.Fprintf(&b, "%s  %s", e.Time.Format("15:04:05"), e.Op)
		if e.Detail != "" {
			fmt.Fprintf(&b, "  %s", e.Detail)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
