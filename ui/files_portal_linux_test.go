package ui

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// A stand-in for xdg-desktop-portal's file chooser on a private, real
// dbus-daemon: no portal backend can run headless here, so the service is
// a double; the bus, the messages and the portal client are the real ones.
type fakePortal struct {
	conn    *dbus.Conn
	mu      sync.Mutex
	calls   []portalAsked
	closed  []dbus.ObjectPath
	asked   chan portalAsked
	noFiles bool // a portal without the file chooser interface
}

type portalAsked struct {
	Method, Title string
	Opts          map[string]dbus.Variant
	Handle        dbus.ObjectPath
}

type portalDesktop struct{ p *fakePortal }

func (d portalDesktop) OpenFile(sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	return d.p.ask("OpenFile", sender, title, opts)
}

func (d portalDesktop) SaveFile(sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	return d.p.ask("SaveFile", sender, title, opts)
}

type portalProps struct{ p *fakePortal }

func (pp portalProps) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	pp.p.mu.Lock()
	defer pp.p.mu.Unlock()
	if iface != portalFiles || pp.p.noFiles {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownInterface", nil)
	}
	return dbus.MakeVariant(uint32(4)), nil
}

type portalReq struct {
	p    *fakePortal
	path dbus.ObjectPath
}

func (r portalReq) Close() *dbus.Error {
	r.p.mu.Lock()
	r.p.closed = append(r.p.closed, r.path)
	r.p.mu.Unlock()
	return nil
}

func (p *fakePortal) ask(method string, sender dbus.Sender, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	token, _ := opts["handle_token"].Value().(string)
	h := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" +
		strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_") + "/" + token)
	p.conn.Export(portalReq{p, h}, h, portalRequest)
	a := portalAsked{method, title, opts, h}
	p.mu.Lock()
	p.calls = append(p.calls, a)
	p.mu.Unlock()
	p.asked <- a
	return h, nil
}

// answer sends the Response the portal sends when the person is done.
func (p *fakePortal) answer(t *testing.T, h dbus.ObjectPath, status uint32, uris ...string) {
	t.Helper()
	res := map[string]dbus.Variant{}
	if uris != nil {
		res["uris"] = dbus.MakeVariant(uris)
	}
	if err := p.conn.Emit(h, portalRequest+".Response", status, res); err != nil {
		t.Fatal(err)
	}
}

func (p *fakePortal) closedCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.closed)
}

// startPortal starts a private dbus-daemon with the stand-in portal on it;
// its address.
func startPortal(t *testing.T) (string, *fakePortal) {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dbus-daemon missing (Debian package dbus)")
		}
		t.Skip("dbus-daemon missing (Debian package dbus)")
	}
	dir := t.TempDir()
	addr := "unix:path=" + filepath.Join(dir, "bus")
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address", "--address="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil { // ready once it prints its address
		t.Fatal(err)
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &fakePortal{conn: conn, asked: make(chan portalAsked, 4)}
	conn.Export(portalDesktop{p}, portalPath, portalFiles)
	conn.Export(portalProps{p}, portalPath, "org.freedesktop.DBus.Properties")
	if r, err := conn.RequestName(portalDest, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("portal name: %v %v", r, err)
	}
	return addr, p
}

func waitAsked(t *testing.T, p *fakePortal) portalAsked {
	t.Helper()
	select {
	case a := <-p.asked:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("the portal was never asked")
	}
	return portalAsked{}
}

// The portal client: what it asks (title, button, folder, PDF filter, the
// handle it listens on), the path from a file URI with escapes, a
// cancelled dialog, a context ended while the dialog is open (the portal
// is told to close it), a save and a folder question, and a bus without
// the file chooser (the next dialog is tried).
func TestPortalChooser(t *testing.T) {
	addr, p := startPortal(t)
	c := portalChooser{addr: addr}
	r := FileRequest{Kind: FileOpen, Title: "Choisir un PDF", Accept: "Ouvrir", Filter: "Documents PDF", Exts: []string{".pdf"}, Dir: "/home/vous/Documents"}
	type result struct {
		p   string
		err error
	}
	ask := func(ctx context.Context, r FileRequest) chan result {
		ch := make(chan result, 1)
		go func() {
			p, err := c.Choose(ctx, r)
			ch <- result{p, err}
		}()
		return ch
	}
	got := ask(context.Background(), r)
	a := waitAsked(t, p)
	if a.Method != "OpenFile" || a.Title != "Choisir un PDF" || a.Opts["accept_label"].Value() != "Ouvrir" {
		t.Fatalf("asked %+v", a)
	}
	if f, _ := a.Opts["current_folder"].Value().([]byte); string(f) != "/home/vous/Documents\x00" {
		t.Errorf("current_folder %q", f)
	}
	if f := a.Opts["filters"].String(); !strings.Contains(f, "Documents PDF") || !strings.Contains(f, "*.pdf") || !strings.Contains(f, "*.PDF") {
		t.Errorf("filters %s", f)
	}
	p.answer(t, a.Handle, 0, "file:///tmp/Mes%20contrats/contrat%20sign%C3%A9.pdf")
	if x := <-got; x.err != nil || x.p != "/tmp/Mes contrats/contrat signé.pdf" {
		t.Fatalf("chosen %q %v", x.p, x.err)
	}

	got = ask(context.Background(), r)
	p.answer(t, waitAsked(t, p).Handle, 1)
	if x := <-got; x.err != nil || x.p != "" {
		t.Fatalf("cancelled: %q %v", x.p, x.err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	got = ask(ctx, r)
	waitAsked(t, p)
	cancel()
	if x := <-got; x.err == nil || x.p != "" {
		t.Fatalf("ended: %q %v", x.p, x.err)
	}
	if n := p.closedCount(); n != 1 {
		t.Errorf("the portal was told to close %d dialogs, want 1", n)
	}

	got = ask(context.Background(), FileRequest{Kind: FileSave, Title: "Enregistrer", Name: "contrat-signé.pdf", Dir: "/tmp", Exts: []string{".pdf"}})
	a = waitAsked(t, p)
	if a.Method != "SaveFile" || a.Opts["current_name"].Value() != "contrat-signé.pdf" {
		t.Errorf("save asked %+v", a)
	}
	p.answer(t, a.Handle, 0, "file:///tmp/contrat-sign%C3%A9.pdf")
	if x := <-got; x.p != "/tmp/contrat-signé.pdf" {
		t.Errorf("saved as %q %v", x.p, x.err)
	}

	got = ask(context.Background(), FileRequest{Kind: FileFolder, Title: "Dossier"})
	a = waitAsked(t, p)
	if a.Method != "OpenFile" || a.Opts["directory"].Value() != true || a.Opts["filters"].Value() != nil {
		t.Errorf("folder asked %+v", a)
	}
	p.answer(t, a.Handle, 0, "file:///tmp/sortie")
	if x := <-got; x.p != "/tmp/sortie" {
		t.Errorf("folder %q %v", x.p, x.err)
	}

	p.mu.Lock()
	p.noFiles = true
	p.mu.Unlock()
	if _, err := c.Choose(context.Background(), r); err != errNoFileDialog {
		t.Errorf("portal without a file chooser: %v", err)
	}
	if _, err := (portalChooser{addr: "unix:path=" + filepath.Join(t.TempDir(), "none")}).Choose(context.Background(), r); err != errNoFileDialog {
		t.Errorf("no bus: %v", err)
	}
}

// Which dialogs the environment offers, in order.
func TestLinuxChooserOrder(t *testing.T) {
	look := func(have ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, h := range have {
				if h == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	names := func(l FileChoosers) string {
		var s []string
		for _, c := range l {
			switch x := c.(type) {
			case portalChooser:
				s = append(s, "portal")
			case helperChooser:
				s = append(s, x.name)
			}
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		env  map[string]string
		have []string
		want string
	}{
		{map[string]string{}, []string{"zenity", "kdialog"}, ""}, // no bus, no display
		{map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}, nil, "portal"},
		{map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:", "DISPLAY": ":0"}, []string{"zenity"}, "zenity"},
		{map[string]string{"DISPLAY": ":0"}, []string{"zenity", "kdialog"}, "zenity,kdialog"},
		{map[string]string{"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE"}, []string{"zenity", "kdialog"}, "kdialog,zenity"},
		{map[string]string{"DBUS_SESSION_BUS_ADDRESS": "x", "DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "GNOME"}, []string{"kdialog"}, "portal,kdialog"},
	} {
		env := func(k string) string { return c.env[k] }
		if got := names(linuxChoosers(env, look(c.have...))); got != c.want {
			t.Errorf("%v with %v: %q, want %q", c.env, c.have, got, c.want)
		}
	}
}

// zenity's and kdialog's arguments: the window's title and filter, the
// start folder, a suggested name for a save, folders only for a folder.
func TestHelperArgs(t *testing.T) {
	open := FileRequest{Kind: FileOpen, Title: "Choisir un PDF", Filter: "Documents PDF", Exts: []string{".pdf"}, Dir: "/home/v/Documents"}
	save := FileRequest{Kind: FileSave, Title: "Enregistrer", Filter: "Documents PDF", Exts: []string{".pdf"}, Dir: "/tmp", Name: "a-signé.pdf"}
	folder := FileRequest{Kind: FileFolder, Title: "Dossier", Dir: "/tmp", Exts: []string{".pdf"}}
	for _, c := range []struct {
		name string
		r    FileRequest
		want string
	}{
		{"zenity", open, "--file-selection|--title=Choisir un PDF|--filename=/home/v/Documents/|--file-filter=Documents PDF | *.pdf *.PDF"},
		{"zenity", save, "--file-selection|--title=Enregistrer|--save|--confirm-overwrite|--filename=/tmp/a-signé.pdf|--file-filter=Documents PDF | *.pdf *.PDF"},
		{"zenity", folder, "--file-selection|--title=Dossier|--directory|--filename=/tmp/"},
		{"kdialog", open, "--title|Choisir un PDF|--getopenfilename|/home/v/Documents|*.pdf *.PDF|Documents PDF"},
		{"kdialog", save, "--title|Enregistrer|--getsavefilename|/tmp/a-signé.pdf|*.pdf *.PDF|Documents PDF"},
		{"kdialog", folder, "--title|Dossier|--getexistingdirectory|/tmp"},
	} {
		if got := strings.Join(helperArgs(c.name, c.r), "|"); got != c.want {
			t.Errorf("%s %v:\n got %s\nwant %s", c.name, c.r.Kind, got, c.want)
		}
	}
}

// FakePortal is the stand-in portal for the window's tests (package ui_test).
type FakePortal struct{ p *fakePortal }

// PortalQuestion is what the window asked the portal.
type PortalQuestion struct {
	Title, Accept, Folder, Filters string
	Directory                      bool
	handle                         dbus.ObjectPath
}

// StartFakePortal starts a private bus with the stand-in portal; its address.
func StartFakePortal(t *testing.T) (string, FakePortal) {
	addr, p := startPortal(t)
	return addr, FakePortal{p}
}

// Asked waits for the next question.
func (f FakePortal) Asked(t *testing.T) PortalQuestion {
	t.Helper()
	a := waitAsked(t, f.p)
	folder, _ := a.Opts["current_folder"].Value().([]byte)
	accept, _ := a.Opts["accept_label"].Value().(string)
	filters := ""
	if f, ok := a.Opts["filters"]; ok {
		filters = f.String()
	}
	return PortalQuestion{Title: a.Title, Accept: accept, Folder: strings.TrimSuffix(string(folder), "\x00"),
		Filters: filters, Directory: a.Opts["directory"].Value() == true, handle: a.Handle}
}

// Answer chooses uri in the dialog of q ("" cancels it).
func (f FakePortal) Answer(t *testing.T, q PortalQuestion, uri string) {
	if uri == "" {
		f.p.answer(t, q.handle, 1)
		return
	}
	f.p.answer(t, q.handle, 0, uri)
}

// Counts are the questions asked and the dialogs the window closed.
func (f FakePortal) Counts() (asked, closed int) {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	return len(f.p.calls), len(f.p.closed)
}

// zenity for real under a private Xvfb (when installed: Debian package
// zenity): a PDF typed in its location bar is the answer; an open dialog
// ends with the context.
func TestZenityChooserUnderXvfb(t *testing.T) {
	for _, tool := range []string{"zenity", "Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not installed")
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-noreset")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	d, err := bufio.NewReader(r).ReadString('\n') // the free display it took
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DISPLAY", ":"+strings.TrimSpace(d))
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	doc := filepath.Join(dir, "contrat.pdf")
	os.WriteFile(doc, []byte("%PDF-1.7\n"), 0o644)
	zen, _ := exec.LookPath("zenity")
	c := helperChooser{name: "zenity", path: zen}
	req := FileRequest{Kind: FileOpen, Title: "Choisir un PDF", Filter: "Documents PDF", Exts: []string{".pdf"}, Dir: dir, Lang: "fr"}
	xdo := func(args ...string) string {
		out, _ := exec.Command("xdotool", args...).Output()
		return strings.TrimSpace(string(out))
	}
	waitDialog := func() string {
		for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if id := xdo("search", "--name", "Choisir un PDF"); id != "" {
				return strings.Fields(id)[0]
			}
		}
		t.Fatal("zenity's dialog never showed")
		return ""
	}
	got := make(chan string, 1)
	go func() {
		p, err := c.Choose(context.Background(), req)
		if err != nil {
			p = "error: " + err.Error()
		}
		got <- p
	}()
	id := waitDialog()
	time.Sleep(500 * time.Millisecond) // GTK takes keys once mapped and focused
	xdo("windowfocus", "--sync", id)
	xdo("key", "--window", id, "ctrl+l")
	xdo("type", "--window", id, doc)
	xdo("key", "--window", id, "Return")
	select {
	case p := <-got:
		if p != doc {
			t.Fatalf("zenity answered %q, want %q", p, doc)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("zenity did not answer")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Choose(ctx, req)
		done <- err
	}()
	waitDialog()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("an ended dialog answered")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("zenity still open after the context ended")
	}
}
