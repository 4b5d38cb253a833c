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

	"github.com/keptbot/kept/cadence"
	"github.com/keptbot/kept/model"
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
	Customers: {"team", "name", "owner", "tier", "cadence", "notes", "created", "last_touch", "last_note", "last_by", "next_prompt", "dates"},
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
	var rows [][]string
	switch kind {
	case Promises:
		for _, p := range d.Promises {
			rows = append(rows, promiseRow(p))
		}
	case Customers:
		for _, c := range d.Customers {
			rows = append(rows, customerRow(c))
		}
	case Touches:
		for _, t := range d.Touches {
			rows = append(rows, touchRow(t))
		}
	}
	var err error
	for _, row := range rows {
		for i := range row {
			row[i] = defuse(row[i])
		}
		if err = cw.Write(row); err != nil {
			break
		}
	}
	cw.Flush()
	if err := errors.Join(err, cw.Error()); err != nil {
		return fmt.Errorf("transfer: write csv: %w", err)
	}
	return nil
}

// formulaStart is what makes a spreadsheet read a cell as a formula
// (OWASP's CSV injection): a promise typed as "=HYPERLINK(…)" must open as
// text.
const formulaStart = "=+-@\t\r"

// defuse prefixes a cell that a spreadsheet would run as a formula with a
// quote, as spreadsheets expect; a cell that already starts with quotes
// before such a character gets one more, so that defang undoes it exactly.
func defuse(cell string) string {
	if rest := strings.TrimLeft(cell, "'"); rest != "" && strings.ContainsRune(formulaStart, rune(rest[0])) {
		return "'" + cell
	}
	return cell
}

// defang undoes defuse on a cell read back.
func defang(cell string) string {
	if rest := strings.TrimLeft(cell, "'"); len(rest) < len(cell) && rest != "" && strings.ContainsRune(formulaStart, rune(rest[0])) {
		return cell[1:]
	}
	return cell
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
	// A cadence as /customer takes it ("every 14 days"); one that is not
	// whole days, which only an old import could make, as a Go duration.
	cadenceCell := "never"
	switch {
	case c.Cadence%(24*time.Hour) != 0:
		cadenceCell = c.Cadence.String()
	case c.Cadence > 0:
		cadenceCell = cadence.Text(c.Cadence)
	}
	dates := ""
	if len(c.Dates) > 0 {
		b, _ := json.Marshal(c.Dates) // dates always marshal
		dates = string(b)
	}
	return []string{c.Team, c.Name, c.Owner, string(c.Tier), cadenceCell, c.Notes, ts(c.Created),
		ts(c.LastTouch), c.LastNote, c.LastBy, ts(c.NextPrompt), dates}
}

func touchRow(t store.Touch) []string {
	return []string{t.Team, t.Customer, t.By, ts(t.At), string(t.Kind), t.Note}
}

// File is an import file, read and checked: its records, and for each the
// line it began on, so that the store's refusal can name it.
type File struct {
	Name  string
	Dump  store.Dump
	lines map[Kind][]int // by kind, the line of each record; nil for JSON
	// cols are the columns a CSV file has, by kind; nil for JSON, which
	// has them all. Import fills the others from the stored record.
	cols map[Kind]map[string]bool
	now  time.Time // for the checks, from Options
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

// maxReported bounds the refusals one import lists: past it, a file is
// wrong throughout, and a count says how much.
const maxReported = 50

// Errors are every refused record of a file, one a line, so that a
// spreadsheet is fixed in one go rather than a row a run.
type Errors struct {
	Lines []*LineError // the first maxReported
	Total int
}

func (e *Errors) Error() string {
	var b strings.Builder
	for i, l := range e.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Error())
	}
	if more := e.Total - len(e.Lines); more > 0 {
		fmt.Fprintf(&b, "\n… and %d more rows refused", more)
	}
	return b.String()
}

// Unwrap gives the refusals to errors.As and errors.Is.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.Lines))
	for i, l := range e.Lines {
		out[i] = l
	}
	return out
}

func (e *Errors) add(l *LineError) {
	e.Total++
	if len(e.Lines) < maxReported {
		e.Lines = append(e.Lines, l)
	}
}

// Options tune Read.
type Options struct {
	// Team fills an empty or missing team column, so that a hand-made CSV
	// for a single workspace need not repeat its id on every row.
	Team string
	// Now is the clock the hundred-year horizon is counted from; nil
	// means time.Now.
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// Read reads a JSON export or a CSV file of one kind, told apart by the
// first character and, for CSV, by the header. Every record is checked;
// the problems, all of them, are returned as *Errors, and nothing is kept.
func Read(r io.Reader, name string, opts Options) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("transfer: read %s: %w", name, err)
	}
	if opts.Team != "" && !model.ValidTeam(opts.Team) {
		return nil, fmt.Errorf("transfer: -team %q is not a Slack workspace id (T…)", opts.Team)
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
	// The records a JSON file brings are checked as a CSV's rows are,
	// named by their place in the file.
	var errs Errors
	for i, p := range f.Dump.Promises {
		if err := checkPromise(p, opts.now()); err != nil {
			errs.add(&LineError{name, 0, fmt.Errorf("promise %d (%s #%d): %w", i+1, p.Team, p.ID, err)})
		}
	}
	for i, c := range f.Dump.Customers {
		if err := checkCustomer(c, opts.now(), true); err != nil {
			errs.add(&LineError{name, 0, fmt.Errorf("customer %d (%q): %w", i+1, c.Name, err)})
		}
	}
	for i, t := range f.Dump.Touches {
		if err := checkTouch(t, opts.now()); err != nil {
			errs.add(&LineError{name, 0, fmt.Errorf("touch %d: %w", i+1, err)})
		}
	}
	if errs.Total > 0 {
		return nil, &errs
	}
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
	f := &File{Name: name, lines: map[Kind][]int{}, cols: map[Kind]map[string]bool{kind: {}}, now: opts.now()}
	for _, col := range header {
		f.cols[kind][col] = true
	}
	var errs Errors
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// The reader cannot find the next row after a broken quote.
			errs.add(csvError(name, err).(*LineError))
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line at the end of a hand-made file
		}
		if len(rec) != len(header) {
			errs.add(&LineError{name, line, fmt.Errorf("has %d fields, the header has %d", len(rec), len(header))})
			continue
		}
		row := map[string]string{}
		for i, col := range header {
			row[col] = defang(strings.TrimSpace(rec[i]))
		}
		if row["team"] == "" {
			row["team"] = opts.Team
		}
		if err := f.add(kind, row); err != nil {
			errs.add(&LineError{name, line, err})
			continue
		}
		f.lines[kind] = append(f.lines[kind], line)
	}
	if errs.Total > 0 {
		return nil, &errs
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
	if row["team"] == "" {
		return errors.New(`team is empty; fill the team column with the workspace id (T…), or give -team`)
	}
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
			p.err = checkPromise(pr, f.now)
		}
		f.Dump.Promises = append(f.Dump.Promises, pr)
	case Customers:
		tier := store.Tier(strings.ToLower(row["tier"]))
		if tier == "" {
			tier = store.StandardTier
		}
		c := store.Customer{
			Team: row["team"], Name: row["name"], Owner: row["owner"], Tier: tier,
			Cadence: p.cadence("cadence"), Notes: row["notes"], Created: p.time("created"),
			LastTouch: p.time("last_touch"), LastNote: row["last_note"], LastBy: row["last_by"],
			NextPrompt: p.time("next_prompt"),
		}
		if d := row["dates"]; d != "" && p.err == nil {
			// The dates that matter, as the JSON list Kept writes, like a
			// promise's history: their occurrences prompted come with them.
			if err := json.Unmarshal([]byte(d), &c.Dates); err != nil {
				p.err = fmt.Errorf("dates is not the JSON list Kept writes: %v", err)
			}
		}
		if p.err == nil {
			p.err = checkCustomer(c, f.now, f.cols[Customers]["owner"])
		}
		f.Dump.Customers = append(f.Dump.Customers, c)
	case Touches:
		t := store.Touch{
			Team: row["team"], Customer: row["customer"], By: row["by"], At: p.time("at"),
			Kind: model.TouchKind(row["kind"]), Note: row["note"],
		}
		if p.err == nil {
			p.err = checkTouch(t, f.now)
		}
		f.Dump.Touches = append(f.Dump.Touches, t)
	}
	if p.err != nil {
		// A refused row is not kept: the file is refused whole anyway.
		switch kind {
		case Promises:
			f.Dump.Promises = f.Dump.Promises[:len(f.Dump.Promises)-1]
		case Customers:
			f.Dump.Customers = f.Dump.Customers[:len(f.Dump.Customers)-1]
		case Touches:
			f.Dump.Touches = f.Dump.Touches[:len(f.Dump.Touches)-1]
		}
	}
	return p.err
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

// cadence reads what /customer takes ("14d", "2w", "every 3 months",
// "never"), and the Go durations older exports wrote ("336h0m0s").
func (p *parser) cadence(col string) time.Duration {
	v := p.row[col]
	if v == "" || v == "0" {
		return 0
	}
	d, err := cadence.Parse(v)
	if err != nil {
		if gd, gerr := time.ParseDuration(v); gerr == nil {
			return gd // held to the bounds by checkCustomer
		}
		p.fail(col, errors.New("use a cadence such as 14d, 2w, every 3 months, or never"))
	}
	return d
}

// Importer is what Import needs of the store: Import itself, and the
// records a partial CSV row is laid over.
type Importer interface {
	Import(d store.Dump, dryRun bool) (store.ImportReport, error)
	Promise(team string, id int64) (store.Promise, error)
	Customer(team, name string) (store.Customer, error)
}

// Import applies f in one transaction. A CSV row updates only the columns
// its file has: a `name,owner` file changes owners and leaves each
// customer's tier, cadence, next check-in and spelling as they were. A
// record the store refuses is reported as a *LineError naming its line
// (CSV) or its place (JSON).
func (f *File) Import(st Importer, dryRun bool) (store.ImportReport, error) {
	d, err := f.overlay(st)
	if err != nil {
		return store.ImportReport{}, fmt.Errorf("transfer: import %s: %w", f.Name, err)
	}
	rep, err := st.Import(d, dryRun)
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

// overlay lays each CSV row over the record stored under its key, so that
// the columns the file lacks keep their stored values. JSON, which has
// every field, is imported as it is.
func (f *File) overlay(st Importer) (store.Dump, error) {
	d := f.Dump
	if cols := f.cols[Promises]; cols != nil && !hasAll(cols, Promises) {
		d.Promises = slices.Clone(d.Promises)
		for i, p := range d.Promises {
			old, err := st.Promise(p.Team, p.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return d, err
			}
			d.Promises[i] = overlayPromise(old, p, cols)
		}
	}
	if cols := f.cols[Customers]; cols != nil && !hasAll(cols, Customers) {
		d.Customers = slices.Clone(d.Customers)
		for i, c := range d.Customers {
			old, err := st.Customer(c.Team, c.Name)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return d, err
			}
			d.Customers[i] = overlayCustomer(old, c, cols)
		}
	}
	return d, nil
}

func hasAll(cols map[string]bool, kind Kind) bool {
	for _, c := range Columns[kind] {
		if !cols[c] {
			return false
		}
	}
	return true
}

// overlayPromise is old with the columns in cols taken from p.
func overlayPromise(old, p store.Promise, cols map[string]bool) store.Promise {
	set := func(col string, apply func()) {
		if cols[col] {
			apply()
		}
	}
	set("text", func() { old.Text = p.Text })
	set("customer", func() { old.Customer = p.Customer })
	set("owner", func() { old.Owner = p.Owner })
	set("creator", func() { old.Creator = p.Creator })
	set("channel", func() { old.Channel = p.Channel })
	set("permalink", func() { old.Permalink = p.Permalink })
	set("due", func() { old.Due = p.Due })
	set("zone", func() { old.Zone = p.Zone })
	set("repeat", func() { old.Repeat = p.Repeat })
	set("created", func() { old.Created = p.Created })
	set("state", func() { old.State = p.State })
	set("kept_at", func() { old.KeptAt = p.KeptAt })
	set("on_time", func() { old.OnTime = p.OnTime })
	set("reminded", func() { old.Reminded = p.Reminded })
	set("overdue", func() { old.Overdue = p.Overdue })
	set("history", func() { old.History = p.History })
	return old
}

// overlayCustomer is old with the columns in cols taken from c. The name
// is the key a row was matched by, so the stored spelling stays; a new
// cadence without a next_prompt column gets its next check-in anew.
func overlayCustomer(old, c store.Customer, cols map[string]bool) store.Customer {
	set := func(col string, apply func()) {
		if cols[col] {
			apply()
		}
	}
	set("owner", func() { old.Owner = c.Owner })
	set("tier", func() { old.Tier = c.Tier })
	set("cadence", func() {
		if c.Cadence != old.Cadence && !cols["next_prompt"] {
			old.NextPrompt = time.Time{}
		}
		old.Cadence = c.Cadence
	})
	set("notes", func() { old.Notes = c.Notes })
	set("created", func() { old.Created = c.Created })
	set("last_touch", func() { old.LastTouch = c.LastTouch })
	set("last_note", func() { old.LastNote = c.LastNote })
	set("last_by", func() { old.LastBy = c.LastBy })
	set("next_prompt", func() { old.NextPrompt = c.NextPrompt })
	set("dates", func() { old.Dates = c.Dates })
	return old
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
