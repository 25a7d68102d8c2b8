package main

// The GUI entry point. Owned by the ui work; this placeholder keeps the
// binary building until the window exists.
func init() {
	runGUI = nil
}
