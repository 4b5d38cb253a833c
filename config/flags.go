package config

import (
	"flag"
	"strings"
)

// FlagName is the command-line flag for a setting: KEPT_DB is -db,
// SLACK_API_URL is -api-url, SLACK_BOT_TOKEN is -bot-token.
func FlagName(env string) string {
	name := strings.TrimPrefix(strings.TrimPrefix(env, "KEPT_"), "SLACK_")
	return strings.ToLower(strings.ReplaceAll(name, "_", "-"))
}

// Flags defines on fs one flag per setting, named by FlagName, and returns
// a getenv for Load that prefers a flag given on the command line to the
// environment. Values are checked by Load, not by fs, so that a bad flag
// and a bad variable are reported together, each with its fix.
func Flags(fs *flag.FlagSet, getenv func(string) string) func(string) string {
	given := map[string]string{}
	for _, s := range Settings {
		// flag takes a back-quoted word in a usage string for the name of
		// the flag's value ("-metrics-addr kept backup"): quote otherwise.
		help := strings.ReplaceAll(s.Help, "`", "'")
		if strings.HasSuffix(s.Name, "_TOKEN") {
			// Other users of the machine can read a process's arguments.
			help += " Prefer the environment: flags show in ps."
		}
		fs.Func(FlagName(s.Name), help+" (env "+s.Name+")", func(v string) error {
			given[s.Name] = v
			return nil
		})
	}
	return func(name string) string {
		if v, ok := given[name]; ok {
			return v
		}
		return getenv(name)
	}
}
