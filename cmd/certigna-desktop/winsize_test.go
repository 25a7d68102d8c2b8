package main

import "testing"

// The first window fits 1366×768 at scale 1 and 1920×1080 at scale 1.5
// (title bar and panel left out: at most 1000 px of the height).
func TestDefaultWindowFitsTheScreen(t *testing.T) {
	for _, c := range []struct {
		scale      float32
		maxW, maxH float32
	}{{1, 1366, 768 - 60}, {1.5, 1920, 1080 - 60}, {2, 2560, 1440 - 60}} {
		s := defaultWindowSize(c.scale)
		if pw, ph := s.Width*c.scale, s.Height*c.scale; pw > c.maxW || ph > c.maxH || s.Width < 640 || s.Height < 480 {
			t.Errorf("scale %.1f: %.0f×%.0f px (logical %.0f×%.0f)", c.scale, pw, ph, s.Width, s.Height)
		}
	}
}
