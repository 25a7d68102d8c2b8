package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"

	"github.com/godbus/dbus/v5"
)

// The XDG desktop portal's file chooser (org.freedesktop.portal.FileChooser)
// over D-Bus: the answer comes as a Response signal on a request object
// whose path is known before the call (handle_token), so the signal is
// listened to first and cannot be missed; Request.Close ends the dialog.

const (
	portalDest    = "org.freedesktop.portal.Desktop"
	portalPath    = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	portalFiles   = "org.freedesktop.portal.FileChooser"
	portalRequest = "org.freedesktop.portal.Request"
)

type portalChooser struct{ addr string }

// portalFilter and portalRule are the portal's (sa(us)) filter.
type portalFilter struct {
	Name  string
	Rules []portalRule
}

type portalRule struct {
	Type    uint32 // 0: a glob
	Pattern string
}

var portalTokens atomic.Uint64

func (p portalChooser) Choose(ctx context.Context, r FileRequest) (string, error) {
	conn, err := dbus.Connect(p.addr) // not WithContext: it would close the bus before Request.Close is sent
	if err != nil {
		return "", errNoFileDialog
	}
	defer conn.Close()
	desk := conn.Object(portalDest, portalPath)
	if _, err := desk.GetProperty(portalFiles + ".version"); err != nil {
		return "", errNoFileDialog // no portal, or one without a file chooser
	}
	token := fmt.Sprintf("certigna%d_%d", os.Getpid(), portalTokens.Add(1))
	sender := strings.ReplaceAll(strings.TrimPrefix(conn.Names()[0], ":"), ".", "_")
	want := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + sender + "/" + token)
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(portalRequest), dbus.WithMatchMember("Response")); err != nil {
		return "", err
	}
	method, opts := portalCall(r, token)
	var handle dbus.ObjectPath
	// answered at once with the request's handle (the dialog's answer comes
	// later as a signal): not cut by ctx, so an open dialog is always closed
	if err := desk.Call(portalFiles+"."+method, 0, "", r.Title, opts).Store(&handle); err != nil {
		return "", errNoFileDialog
	}
	for {
		select {
		case <-ctx.Done():
			// ends the person's dialog too
			conn.Object(portalDest, handle).Call(portalRequest+".Close", 0)
			return "", ctx.Err()
		case s := <-signals:
			if s == nil || (s.Path != handle && s.Path != want) || len(s.Body) != 2 {
				continue
			}
			status, _ := s.Body[0].(uint32)
			results, _ := s.Body[1].(map[string]dbus.Variant)
			if status != 0 {
				return "", nil // cancelled, or ended another way
			}
			return portalPathOf(results)
		}
	}
}

// portalCall is the method and options asking r.
func portalCall(r FileRequest, token string) (string, map[string]dbus.Variant) {
	opts := map[string]dbus.Variant{"handle_token": dbus.MakeVariant(token), "modal": dbus.MakeVariant(true)}
	if r.Accept != "" {
		opts["accept_label"] = dbus.MakeVariant(r.Accept)
	}
	if r.Dir != "" {
		opts["current_folder"] = dbus.MakeVariant(append([]byte(r.Dir), 0))
	}
	if len(r.Exts) > 0 && r.Kind != FileFolder {
		f := portalFilter{Name: r.Filter}
		for _, e := range r.Exts {
			f.Rules = append(f.Rules, portalRule{0, "*" + strings.ToLower(e)}, portalRule{0, "*" + strings.ToUpper(e)})
		}
		opts["filters"] = dbus.MakeVariant([]portalFilter{f})
		opts["current_filter"] = dbus.MakeVariant(f)
	}
	switch r.Kind {
	case FileSave:
		if r.Name != "" {
			opts["current_name"] = dbus.MakeVariant(r.Name)
		}
		return "SaveFile", opts
	case FileFolder:
		opts["directory"] = dbus.MakeVariant(true)
	}
	return "OpenFile", opts
}

// portalPathOf is the local path of the first URI the portal answered.
func portalPathOf(results map[string]dbus.Variant) (string, error) {
	uris, _ := results["uris"].Value().([]string)
	if len(uris) == 0 {
		return "", nil
	}
	u, err := url.Parse(uris[0])
	if err != nil || u.Scheme != "file" {
		return "", errors.New("the file dialog answered something other than a local file")
	}
	return u.Path, nil
}
