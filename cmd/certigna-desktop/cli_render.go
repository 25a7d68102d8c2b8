package main

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/certigna-desktop/app/actions"
)

// runRender draws one page to a PNG, through the renderer the window's
// preview uses (support, tests), and prints the page's displayed size: the
// frame of --rect's page coordinates.
func runRender(env *Env, args []string) int {
	fs := newFlagSet("render")
	var out string
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	page := fs.Int("page", 1, "")
	dpi := fs.Float64("dpi", 72, "")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || out == "" || *page < 1 || !(*dpi > 0 && *dpi <= actions.MaxPreviewDPI) {
		return env.fail(exitUsage, env.T("preview.cli.usage"))
	}
	ctx := context.Background()
	p, err := actions.OpenPreview(ctx, pos[0])
	if err != nil {
		return env.Fail(err)
	}
	defer p.Close()
	w, h, err := p.PageSize(*page)
	if err != nil {
		return env.Fail(err)
	}
	img, err := p.Render(ctx, *page, *dpi)
	if err != nil {
		return env.Fail(err)
	}
	// Written beside the target, then renamed: no half PNG on failure.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".render-*.png")
	if err != nil {
		return env.Fail(err)
	}
	if err = png.Encode(tmp, img); err == nil {
		err = tmp.Close()
	} else {
		tmp.Close()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return env.Fail(err)
	}
	fmt.Fprintln(env.Stdout, env.T("preview.cli.size", map[string]any{"Page": *page, "Pages": p.Pages(),
		"W": fmt.Sprintf("%g", round2(w)), "H": fmt.Sprintf("%g", round2(h))}))
	return exitOK
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
