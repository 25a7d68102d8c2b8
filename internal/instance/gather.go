package instance

import "time"

// Gather reads hand-overs from in until it is closed and calls open with
// each burst: files that arrive less than quiet apart are opened together.
// Windows' Explorer starts one process per selected file for a context-menu
// verb ("Signer avec Certigna Desktop" on five PDFs: five launches within
// milliseconds); they must become one batch, not five documents replacing
// each other. An empty hand-over (a launch without files) is a burst of its own
// when nothing is pending, so the window still comes forward.
func Gather(in <-chan []string, quiet time.Duration, open func([]string)) {
	var pending []string
	var timer <-chan time.Time
	waiting := false
	for {
		select {
		case files, ok := <-in:
			if !ok {
				if waiting {
					open(pending)
				}
				return
			}
			pending = append(pending, files...)
			waiting = true
			timer = time.After(quiet)
		case <-timer:
			open(pending)
			pending, waiting, timer = nil, false, nil
		}
	}
}
