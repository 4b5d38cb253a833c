// Package transfer moves Kept's records in and out as files: JSON for a
// whole database, CSV (one file per kind, with a header) for a spreadsheet
// or a CRM export.
//
// Reading a file checks every row before anything is written, and the
// store applies all of it in one transaction or none of it; a refusal
// names the file and the line.
package transfer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keptbot/kept/store"
)

// Kind is what one CSV file holds.
type Kind string

// The kinds of record Kept moves.
const (
	Promises  Kind = "promises"
	Customers Kind = "customers"
	Touches   Kind = "touches"
)

// Kinds lists them in the order a database is best imported: customers
// before the touches that name them.
var Kinds = []Kind{Promises, Customers, Touches}

// Columns are each kind's CSV header, in the order Kept writes them. On
// import, columns may come in any order, and only the keys (team and id,
// team and name, team, customer, at and kind) and the fields a record
// cannot do without are required.
var Columns = map[Kind][]string{
	Promises:  {"team", "id", "text", "customer", "owner", "creator", "channel", "permalink", "due", "zone", "repeat", "created", "state", "kept_at", "on_time", "reminded", "overdue", "history"},
	Customers: {"team", "name", "owner", "tier", "cadence", "notes", "created", "last_touch", "last_note", "last_by", "next_prompt"},
	Touches:   {"team", "customer", "by", "at", "kind", "note"},
}

var required = map[Kind][]string{
	Promises:  {"id", "text", "owner", "due"},
	Customers: {"name"},
	Touches:   {"customer", "at", "kind"},
}

// Version is the "kept_export" number of the JSON format.
const Version = 1

// document is the JSON format: the dump, marked so that Read can tell it
// from anything else that starts with a brace.
type document struct {
	KeptExport int `json:"kept_export"`
	store.Dump
}

// WriteJSON writes the whole dump as one JSON document.
func WriteJSON(w io.Writer, d store.Dump) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(document{KeptExport: Version, Dump: d}); err != nil {
		return fmt.Errorf("transfer: write json: %w", err)
	}
	return nil
}

// Only is d with just the records of kind; "" is all of d.
func Only(d store.Dump, kind Kind) store.Dump {
	switch kind {
	case Promises:
		return store.Dump{Promises: d.Promises}
	case Customers:
		return store.Dump{Customers: d.Customers}
	case Touches:
		return store.Dump{Touches: d.Touches}
	}
	return d
}

// WriteCSV writes one kind of record from d as CSV with a header.
func WriteCSV(w io.Writer, d store.Dump, kind Kind) error {
	cw := csv.NewWriter(w)
	cols, ok := Columns[kind]
	if !ok {
		return fmt.Errorf("transfer: no such kind %q; use promises, customers or touches", kind)
	}
	_ = cw.Write(cols)
	var err error
	switch kind {
	case Promises:
		for _, p := range d.Promises {
			if err = cw.Write(promiseRow(p)); err != nil {
				break
			}
		}
	case Customers:
		for _, c := range d.Customers {
			if err = cw.Write(customerRow(c)); err != nil {
				break
			}
		}
	case Touches:
		for _, t := range d.Touches {
			if err = cw.Write(touchRow(t)); err != nil {
				break
			}
		}
	}
	cw.Flush()
	if err := errors.Join(err, cw.Error()); err != nil {
		return fmt.Errorf("transfer: write csv: %w", err)
	}
	return nil
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func promiseRow(p store.Promise) []string {
	history := ""
	if len(p.History) > 0 {
		b, _ := json.Marshal(p.History) // Events always marshal
		history = string(b)
	}
	return []string{p.Team, strconv.FormatInt(p.ID, 10), p.Text, p.Customer, p.Owner, p.Creator, p.Channel, p.Permalink,
		ts(p.Due), p.Zone, p.Repeat, ts(p.Created), string(p.State), ts(p.KeptAt),
		strconv.FormatBool(p.OnTime), strconv.FormatBool(p.Reminded), strconv.FormatBool(p.Overdue), history}
}

func customerRow(c store.Customer) []string {
	cadence := ""
	if c.Cadence != 0 {
		cadence = c.Cadence.String()
	}
	return []string{c.Team, c.Name, c.Owner, string(c.Tier), cadence, c.Notes, ts(c.Created),
		ts(c.LastTouch), c.LastNote, c.LastBy, ts(c.NextPrompt)}
}

func touchRow(t store.Touch) []string {
	return []string{t.Team, t.Customer, t.By, ts(t.At), t.Kind, t.Note}
}

// File is an import file, read and checked: its records, and for each the
// line it began on, so that the store's refusal can name it.
type File struct {
	Name  string
	Dump  store.Dump
	lines map[Kind][]int // by kind, the line of each record; nil for JSON
}

// LineError is a refused record: the file, the line it starts on (0 when
// unknown) and why.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Options tune Read.
type Options struct {
	// Team fills an empty or missing team column, so that a hand-made CSV
	// for a single workspace need not repeat its id on every row.
	Team string
}

// Read reads a JSON export or a CSV file of one kind, told apart by the
// first character and, for CSV, by the header. Every row is checked; the
// first problem is returned as a *LineError and nothing is kept.
func Read(r io.Reader, name string, opts Options) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("transfer: read %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // spreadsheets write a BOM
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return readJSON(data, name, opts)
	}
	return readCSV(data, name, opts)
}

func readJSON(data []byte, name string, opts Options) (*File, error) {
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		line := 0
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line = lineAt(data, se.Offset)
		case errors.As(err, &te):
			line = lineAt(data, te.Offset)
		}
		return nil, &LineError{name, line, err}
	}
	if doc.KeptExport != Version {
		return nil, &LineError{name, 1, fmt.Errorf("not a Kept export (kept_export is %d, this kept reads %d)", doc.KeptExport, Version)}
	}
	f := &File{Name: name, Dump: doc.Dump}
	f.fillTeam(opts.Team)
	return f, nil
}

func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

func (f *File) fillTeam(team string) {
	if team == "" {
		return
	}
	for i := range f.Dump.Promises {
		if f.Dump.Promises[i].Team == "" {
			f.Dump.Promises[i].Team = team
		}
	}
	for i := range f.Dump.Customers {
		if f.Dump.Customers[i].Team == "" {
			f.Dump.Customers[i].Team = team
		}
	}
	for i := range f.Dump.Touches {
		if f.Dump.Touches[i].Team == "" {
			f.Dump.Touches[i].Team = team
		}
	}
}

func readCSV(data []byte, name string, opts Options) (*File, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // checked below, with a better message
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &LineError{name, 0, errors.New("is empty; a CSV import starts with a header line")}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	kind, err := kindOf(header)
	if err != nil {
		return nil, &LineError{name, 1, err}
	}
	f := &File{Name: name, lines: map[Kind][]int{}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line at the end of a hand-made file
		}
		if len(rec) != len(header) {
			return nil, &LineError{name, line, fmt.Errorf("has %d fields, the header has %d", len(rec), len(header))}
		}
		row := map[string]string{}
		for i, col := range header {
			row[col] = strings.TrimSpace(rec[i])
		}
		if row["team"] == "" {
			row["team"] = opts.Team
		}
		if err := f.add(kind, row); err != nil {
			return nil, &LineError{name, line, err}
		}
		f.lines[kind] = append(f.lines[kind], line)
	}
	return f, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &LineError{name, pe.Line, pe.Err}
	}
	return &LineError{name, 0, err}
}

// kindOf tells what a CSV holds from its header, and refuses a column it
// does not know: a misspelt "due" must not silently import empty dates.
func kindOf(header []string) (Kind, error) {
	var kind Kind
	switch {
	case slices.Contains(header, "text"):
		kind = Promises
	case slices.Contains(header, "name"):
		kind = Customers
	case slices.Contains(header, "at") && slices.Contains(header, "kind"):
		kind = Touches
	default:
		return "", fmt.Errorf("header %q is not one Kept knows; promises have %s; customers %s; touches %s",
			strings.Join(header, ","), strings.Join(Columns[Promises], ","), strings.Join(Columns[Customers], ","), strings.Join(Columns[Touches], ","))
	}
	seen := map[string]bool{}
	for _, col := range header {
		if !slices.Contains(Columns[kind], col) {
			return "", fmt.Errorf("column %q is not a %s column; use %s", col, kind, strings.Join(Columns[kind], ","))
		}
		if seen[col] {
			return "", fmt.Errorf("column %q appears twice", col)
		}
		seen[col] = true
	}
	for _, col := range required[kind] {
		if !seen[col] {
			return "", fmt.Errorf("%s need a %q column", kind, col)
		}
	}
	return kind, nil
}

func (f *File) add(kind Kind, row map[string]string) error {
	p := parser{row: row}
	switch kind {
	case Promises:
		pr := store.Promise{
			Team: row["team"], ID: p.id("id"), Text: row["text"], Customer: row["customer"],
			Owner: row["owner"], Creator: row["creator"], Channel: row["channel"], Permalink: row["permalink"],
			Due: p.time("due"), Zone: row["zone"], Repeat: row["repeat"], Created: p.time("created"),
			State: store.State(strings.ToLower(row["state"])), KeptAt: p.time("kept_at"),
			OnTime: p.bool("on_time"), Reminded: p.bool("reminded"), Overdue: p.bool("overdue"),
		}
		if pr.State == "" {
			pr.State = store.Open
		}
		if pr.Creator == "" {
			pr.Creator = pr.Owner
		}
		if h := row["history"]; h != "" && p.err == nil {
			if err := json.Unmarshal([]byte(h), &pr.History); err != nil {
				p.err = fmt.Errorf("history is not the JSON list Kept writes: %v", err)
			}
		}
		if p.err == nil {
			p.err = checkPromise(pr)
		}
		f.Dump.Promises = append(f.Dump.Promises, pr)
	case Customers:
		tier := store.Tier(strings.ToLower(row["tier"]))
		if tier == "" {
			tier = store.StandardTier
		}
		f.Dump.Customers = append(f.Dump.Customers, store.Customer{
			Team: row["team"], Name: row["name"], Owner: row["owner"], Tier: tier,
			Cadence: p.duration("cadence"), Notes: row["notes"], Created: p.time("created"),
			LastTouch: p.time("last_touch"), LastNote: row["last_note"], LastBy: row["last_by"],
			NextPrompt: p.time("next_prompt"),
		})
	case Touches:
		f.Dump.Touches = append(f.Dump.Touches, store.Touch{
			Team: row["team"], Customer: row["customer"], By: row["by"], At: p.time("at"),
			Kind: row["kind"], Note: row["note"],
		})
	}
	if p.err == nil && row["team"] == "" {
		p.err = errors.New(`team is empty; fill the team column with the workspace id (T…), or give --team`)
	}
	return p.err
}

// checkPromise catches at read time, with the line still at hand, what
// the store would refuse later by index.
func checkPromise(p store.Promise) error {
	switch p.State {
	case store.Open, store.Kept, store.Cancelled:
	default:
		return fmt.Errorf("state is %q; use open, kept or cancelled", p.State)
	}
	if p.ID <= 0 {
		return fmt.Errorf("id is %d; ids are whole numbers from 1, and an existing id is updated", p.ID)
	}
	return nil
}

// parser converts cells, keeping the first error.
type parser struct {
	row map[string]string
	err error
}

func (p *parser) fail(col string, err error) {
	if p.err == nil {
		p.err = fmt.Errorf("%s is %q; %v", col, p.row[col], err)
	}
}

func (p *parser) id(col string) int64 {
	v := p.row[col]
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		p.fail(col, errors.New("use a whole number such as 42"))
	}
	return n
}

func (p *parser) time(col string) time.Time {
	v := p.row[col]
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		p.fail(col, errors.New("use an RFC 3339 time such as 2026-11-27T17:00:00Z"))
	}
	return t.UTC()
}

func (p *parser) bool(col string) bool {
	v := p.row[col]
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(col, errors.New("use true or false"))
	}
	return b
}

func (p *parser) duration(col string) time.Duration {
	v := p.row[col]
	if v == "" || v == "0" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		p.fail(col, errors.New("use a Go duration such as 168h (a week), or 0 for never"))
	}
	return d
}

// Importer is the store's Import.
type Importer interface {
	Import(d store.Dump, dryRun bool) (store.ImportReport, error)
}

// Import applies f in one transaction. A record the store refuses is
// reported as a *LineError naming its line (CSV) or its place (JSON).
func (f *File) Import(st Importer, dryRun bool) (store.ImportReport, error) {
	rep, err := st.Import(f.Dump, dryRun)
	var ie *store.ImportError
	if errors.As(err, &ie) {
		kind := map[string]Kind{"promise": Promises, "customer": Customers, "touch": Touches}[ie.Kind]
		if lines := f.lines[kind]; ie.Index < len(lines) {
			return rep, &LineError{f.Name, lines[ie.Index], ie.Err}
		}
		return rep, &LineError{f.Name, 0, fmt.Errorf("%s %d (counting from 1 in %q): %w", ie.Kind, ie.Index+1, kind, ie.Err)}
	}
	if err != nil {
		return rep, fmt.Errorf("transfer: import %s: %w", f.Name, err)
	}
	return rep, nil
}

// Summary says in a line per kind what an import did, leaving out the
// kinds the file did not have.
func Summary(rep store.ImportReport) string {
	var b strings.Builder
	for _, k := range []struct {
		name string
		c    store.Counts
	}{{"promises", rep.Promises}, {"customers", rep.Customers}, {"touches", rep.Touches}} {
		if k.c == (store.Counts{}) {
			continue
		}
		fmt.Fprintf(&b, "%s: %d added, %d updated, %d unchanged\n", k.name, k.c.Added, k.c.Updated, k.c.Unchanged)
	}
	if b.Len() == 0 {
		return "nothing to import: the file has no records\n"
	}
	return b.String()
}
