package duetime_test

import (
	"fmt"
	"time"

	"github.com/keptbot/kept/duetime"
)

func ExampleSplit() {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, ny) // a Monday

	what, due, repeat, err := duetime.Split("send the renewal quote by friday 5pm", now, ny)
	fmt.Printf("%q %s %q %v\n", what, due.Format("Mon 2 Jan 15:04 MST"), repeat, err)

	what, due, repeat, err = duetime.Split("usage report every month on the 1st", now, ny)
	fmt.Printf("%q %s %q %v\n", what, due.Format("Mon 2 Jan 15:04 MST"), repeat, err)
	// Output:
	// "send the renewal quote" Fri 27 Nov 17:00 EST "" <nil>
	// "usage report" Tue 1 Dec 09:00 EST "every month on the 1st 9am" <nil>
}

func ExampleRecurrence_Next() {
	ny, _ := time.LoadLocation("America/New_York")
	r, _ := duetime.ParseRecurrence("every month on the 31st 9am")
	due := time.Date(2027, 1, 31, 9, 0, 0, 0, ny)
	for range 3 {
		due = r.Next(due, ny)
		fmt.Println(due.Format("Jan 2 15:04"))
	}
	// Output:
	// Feb 28 09:00
	// Mar 31 09:00
	// Apr 30 09:00
}
