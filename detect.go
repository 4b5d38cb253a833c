package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keptbot/kept/commitment"
)

// detect is `kept detect`: it reads messages, one a line, and says for each
// whether Kept would offer to track it as a promise, and as what, so an
// admin can try the detector on their own team's words before turning
// suggestions on.
func detect(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kept detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	zoneName := fs.String("zone", orDefault(getenv("KEPT_TIMEZONE"), "UTC"), "the writer's time zone (IANA name)")
	nowFlag := fs.String("now", "", `the moment the messages are read at, "2006-01-02 15:04" in -zone or RFC 3339 (default: now)`)
	fromFlag := fs.String("from", "us", `who wrote a line that does not say: "us" (our workspace) or "them" (the customer)`)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: kept detect [-zone Europe/Paris] [-now \"2026-11-23 10:00\"] [-from us|them] < messages.txt\n\n"+
			"Reads messages, one a line (\\n in a line is a line break), and prints for each whether Kept\n"+
			"would offer to track it as a promise: the task and due time, or why not. A line may say\n"+
			"who wrote it: \"us: …\" for our side, \"them: …\" for the customer, whose own promises\n"+
			"are never offered (Kept reads only our side's messages for promises).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kept detect: messages come on standard input, not as arguments (got %q); try: echo \"I'll call you tomorrow\" | kept detect\n", fs.Arg(0))
		return 2
	}
	defaultOurs, ok := sides[strings.ToLower(*fromFlag)]
	if !ok {
		fmt.Fprintf(stderr, "kept detect: -from %q: want us (our workspace wrote the lines) or them (the customer did)\n", *fromFlag)
		return 2
	}
	loc, err := time.LoadLocation(*zoneName)
	if err != nil || *zoneName == "Local" {
		fmt.Fprintf(stderr, "kept detect: -zone %q is not a time zone; use an IANA name such as Europe/Paris\n", *zoneName)
		return 2
	}
	now := time.Now().In(loc)
	if *nowFlag != "" {
		if now, err = parseNow(*nowFlag, loc); err != nil {
			fmt.Fprintf(stderr, "kept detect: -now %q: want \"2006-01-02 15:04\" or RFC 3339, such as 2026-11-23T10:00:00-05:00\n", *nowFlag)
			return 2
		}
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var read, found int
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		read++
		fmt.Fprintln(stdout, line)
		ours, text := cutSide(line, defaultOurs)
		if !ours {
			fmt.Fprintln(stdout, "  no: the customer wrote it (Kept offers only our side's promises)")
			continue
		}
		r := commitment.Detect(strings.ReplaceAll(text, `\n`, "\n"), now, loc)
		if r.Found() {
			found++
			fmt.Fprintf(stdout, "  yes: %s, due %s\n", r.Task, r.Due.Format("Mon 2 Jan 2006 15:04 MST"))
		} else {
			fmt.Fprintf(stdout, "  no: %s\n", r.Reason)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "kept detect: reading messages: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d of %d messages would be offered as promises (read at %s, %s)\n",
		found, read, now.Format("Mon 2 Jan 2006 15:04"), loc)
	return 0
}

// sides are the words that say who wrote a line, true for our side.
var sides = map[string]bool{"us": true, "we": true, "our": true, "them": false, "they": false, "customer": false}

// cutSide reads a leading "us:" or "them:" (any word of sides) off line:
// whether our side wrote it, and the message without the prefix. A line
// without one is ours when defaultOurs is.
func cutSide(line string, defaultOurs bool) (ours bool, text string) {
	word, rest, ok := strings.Cut(line, ":")
	if side, known := sides[strings.ToLower(strings.TrimSpace(word))]; ok && known {
		return side, strings.TrimSpace(rest)
	}
	return defaultOurs, line
}

func parseNow(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.In(loc), err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
