package metrics

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxInspect bounds how much of a Slack answer is buffered to read its
// "ok" and "error"; larger answers (long histories) pass unread, and
// Slack's error answers are small.
const maxInspect = 1 << 20

// Transport wraps next (nil: http.DefaultTransport) so that every failed
// Slack Web API call is counted by method and code, whichever part of Kept
// made it. Slack answers most errors with HTTP 200 and {"ok": false,
// "error": "..."}, so the body is read, and put back for slack-go.
func (m *Metrics) Transport(next http.RoundTripper) http.RoundTripper {
	return m.WatchingTransport(next, nil)
}

// WatchingTransport is Transport that also tells watch (if not nil) of
// every Slack error code, as it arrives: the daemon stops on the codes
// that say Kept's own token is dead.
func (m *Metrics) WatchingTransport(next http.RoundTripper, watch func(method, code string)) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{m: m, next: next, watch: watch}
}

type roundTripper struct {
	m     *Metrics
	next  http.RoundTripper
	watch func(method, code string)
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	res, err := t.next.RoundTrip(req)
	if err != nil {
		if req.Context().Err() == nil { // a shutdown is not Slack's failure
			t.m.APIError(method, "network")
		}
		return res, err
	}
	if res.StatusCode != http.StatusOK {
		t.m.APIError(method, strconv.Itoa(res.StatusCode))
		return res, nil
	}
	if ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); ct != "application/json" {
		return res, nil
	}
	if res.ContentLength > maxInspect {
		return res, nil
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxInspect+1))
	rest := res.Body
	res.Body = readCloser{io.MultiReader(bytes.NewReader(body), rest), rest}
	if err != nil || len(body) > maxInspect {
		return res, nil
	}
	var ans struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &ans) == nil && ans.OK != nil && !*ans.OK {
		t.m.APIError(method, code(ans.Error))
		if t.watch != nil {
			t.watch(method, code(ans.Error))
		}
	}
	return res, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// apiMethod is the Web API method a URL path names, as a bounded label:
// Kept calls a fixed set of methods, and anything unexpected is "other".
func apiMethod(path string) string {
	name := path[strings.LastIndexByte(path, '/')+1:]
	if name == "" || len(name) > 64 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.") != "" {
		return "other"
	}
	return name
}

// code keeps an error label to Slack's vocabulary of snake_case words.
func code(s string) string {
	if s == "" {
		return "unknown"
	}
	if len(s) > 64 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz_0123456789") != "" {
		return "other"
	}
	return s
}
