package inbound

const helpText = "*Kept remembers what you promise customers and nudges you when it is due.*\n" +
	"• `/promise Acme: send the renewal quote friday 5pm` records a promise; the time is read in your time zone.\n" +
	"• `/promise @ann Acme: call back tomorrow 3pm` makes Ann the owner.\n" +
	"• `/promise list` shows your open promises.\n" +
	"• `/promise done 42`, `/promise snooze 42 tomorrow`, `/promise cancel 42` act on #42.\n" +
	"Times: `in 2 hours`, `tomorrow 3pm`, `friday 5pm`, `dec 3`, `2026-12-01 14:00`. A date without a time means 9:00."
