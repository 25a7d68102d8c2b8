// Command previewbench measures the sign screen's first preview, for
// bench/preview.sh: in a fresh process, the renderer's start-up, then
// opening FILE and drawing its page 1 at the window's resolution (about
// 1000 pixels on the long side), through the same path as the window
// (actions.OpenPreview, over render/).
//
//	previewbench FILE        prints: startup_ms open_ms page1_ms quick_ms
//	previewbench warm FILE   the same with the engine started first (the
//	                         window starts it when the sign screen opens)
//
// quick_ms is the window's first picture of a page with huge images (drawn
// without them, actions.Preview.Quick) before page1_ms, the page whole;
// -1 when the page has none (the window shows the page whole at once, and
// page1_ms includes the look for huge images).
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/render"
)

func main() {
	args := os.Args[1:]
	warm := len(args) == 2 && args[0] == "warm"
	if warm {
		args = args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: previewbench [warm] FILE")
		os.Exit(2)
	}
	var startup time.Duration
	if warm {
		t := time.Now()
		if err := render.Warm(); err != nil {
			fail(err)
		}
		startup = time.Since(t)
	}
	ctx := context.Background()
	t0 := time.Now()
	p, err := actions.OpenPreview(ctx, args[0])
	if err != nil {
		fail(err)
	}
	defer p.Close()
	tOpen := time.Since(t0)
	w, h, err := p.PageSize(1)
	if err != nil {
		fail(err)
	}
	dpi := math.Max(20, math.Min(150, 72*1000/math.Max(w, h)))
	tq := time.Now()
	quick := -1.0
	if _, ok, err := p.Quick(ctx, 1, dpi); err != nil {
		fail(err)
	} else if ok {
		quick = float64(time.Since(tq).Microseconds()) / 1000
	}
	t1 := time.Now()
	if quick < 0 {
		t1 = tq // the window looks for huge images first: counted in the page's time
	}
	img, err := p.Render(ctx, 1, dpi)
	if err != nil || img.Bounds().Dx() == 0 {
		fail(err)
	}
	tPage := time.Since(t1)
	if !warm {
		startup = render.StartupTime() // inside the first open
		tOpen -= startup
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("%.1f %.1f %.1f %.1f\n", ms(startup), ms(tOpen), ms(tPage), quick)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
