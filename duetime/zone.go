package duetime

import (
	"strings"
	"sync"
	"time"
)

// zoneAbbrevs are the zone abbreviations people type after a time. Each
// names the place whose clock it is, and the phrase is read on that
// place's wall clock: "5pm EST" in July is 17:00 in New York (EDT then),
// because people write EST for Eastern time all year. GMT and UTC are
// UTC. Abbreviations that name more than one zone (IST: India, Ireland or
// Israel) are refused in ambiguousAbbrevs.
var zoneAbbrevs = map[string]string{
	"utc": "UTC", "gmt": "UTC",
	"et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
	"ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
	"mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
	"pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
	"akst": "America/Anchorage", "akdt": "America/Anchorage", "hst": "Pacific/Honolulu",
	"bst": "Europe/London", "wet": "Europe/Lisbon", "west": "Europe/Lisbon",
	"cet": "Europe/Paris", "cest": "Europe/Paris", "eet": "Europe/Athens", "eest": "Europe/Athens",
	"msk": "Europe/Moscow", "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "sgt": "Asia/Singapore",
	"hkt": "Asia/Hong_Kong", "npt": "Asia/Kathmandu",
	"aest": "Australia/Sydney", "aedt": "Australia/Sydney", "acst": "Australia/Adelaide",
	"acdt": "Australia/Adelaide", "awst": "Australia/Perth", "nzst": "Pacific/Auckland",
	"nzdt": "Pacific/Auckland",
}

// ambiguousAbbrevs name several zones; Kept asks for the place instead.
var ambiguousAbbrevs = map[string]string{
	"ist": "IST is India, Ireland or Israel",
	"ast": "AST is Atlantic or Arabia time",
}

// zoneCache holds zones loaded by name; only names that load are kept, so
// it cannot grow past the zone database.
var zoneCache sync.Map

// zoneByName loads "europe/paris" (already lower-cased) as Europe/Paris:
// each part of an IANA name is capitalised as the database spells it.
func zoneByName(s string) (*time.Location, bool) {
	if name, ok := zoneAbbrevs[s]; ok {
		return loadZone(name)
	}
	if !strings.Contains(s, "/") || len(s) > 40 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '/' || c == '_' || c == '-') {
			return nil, false
		}
	}
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return loadZone(string(b))
}

func loadZone(name string) (*time.Location, bool) {
	if name == "Local" || name == "" {
		return nil, false
	}
	loc, err := LoadZone(name)
	return loc, err == nil
}

// LoadZone is time.LoadLocation, remembered: LoadLocation opens and parses
// the zone's file of the tz database on every call, which was a tenth of
// a /promise command's CPU when every command validated its zone that way
// (issue 18). Only names that load are kept, so the cache is bounded by
// the database.
func LoadZone(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

// zoneIn finds the zone of a phrase: its last word ("friday 5pm EST",
// "10:00 Europe/Paris"), or the word just after its time ("5pm CET
// friday"). It returns the phrase without it.
func zoneIn(w []string) (*time.Location, []string, bool) {
	if len(w) < 2 {
		return nil, nil, false
	}
	if loc, ok := zoneByName(w[len(w)-1]); ok {
		return loc, w[:len(w)-1], true
	}
	for i := 1; i < len(w)-1; i++ {
		if _, ok := parseClock(w[i-1]); !ok {
			continue
		}
		if loc, ok := zoneByName(w[i]); ok {
			rest := append(append([]string{}, w[:i]...), w[i+1:]...)
			return loc, rest, true
		}
	}
	return nil, nil, false
}
