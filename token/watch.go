package token

import (
	"context"
	"strconv"
	"time"
)

// now is the clock for validity flags (tests may move it).
var now = time.Now

// EventKind says what happened to a token.
type EventKind string

const (
	EventInserted EventKind = "inserted" // a token appeared (and, once, every token present when Watch starts)
	EventRemoved  EventKind = "removed"  // Token is its last known state
	EventChanged  EventKind = "changed"  // same token, new label or flags (PIN state)
)

// Event is one change seen by Watch.
type Event struct {
	Kind  EventKind
	Token TokenInfo
}

// Watch polls the module every interval (default 500 ms) and reports tokens
// inserted, removed or changed. The first poll reports the tokens already
// present as inserted, so a UI can build its state from the events alone.
// It polls C_GetSlotList(true) and C_GetTokenInfo — never
// C_WaitForSlotEvent, which cannot be cancelled and which neither soft token
// supports — and calls Rescan first, so a library with a fixed slot list
// (SoftHSM2) still shows tokens coming and going. The channel closes when ctx
// is done.
func (m *Module) Watch(ctx context.Context, every time.Duration) <-chan Event {
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		known := map[string]TokenInfo{}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			_ = m.Rescan()
			// A failed poll (reader service gone, module closed) means no
			// token; a library that does not answer says nothing either way,
			// and the state shown stays as it was.
			tokens, err := m.Tokens()
			if !unanswered(err) {
				seen := map[string]bool{}
				for _, t := range tokens {
					k := tokenKey(t)
					seen[k] = true
					old, ok := known[k]
					known[k] = t
					var ev *Event
					switch {
					case !ok:
						ev = &Event{Kind: EventInserted, Token: t}
					case old.Flags != t.Flags || old.Label != t.Label:
						ev = &Event{Kind: EventChanged, Token: t}
					}
					if ev != nil && !send(ctx, ch, *ev) {
						return
					}
				}
				for k, t := range known {
					if !seen[k] {
						delete(known, k)
						if !send(ctx, ch, Event{Kind: EventRemoved, Token: t}) {
							return
						}
					}
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return ch
}

// tokenKey identifies a token: the same card in another reader is another
// slot, and another card in the same reader has another serial.
func tokenKey(t TokenInfo) string { return strconv.Itoa(int(t.Slot)) + "/" + t.Serial }

func send(ctx context.Context, ch chan<- Event, e Event) bool {
	select {
	case ch <- e:
		return true
	case <-ctx.Done():
		return false
	}
}
