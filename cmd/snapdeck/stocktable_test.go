package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	stock "charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// stockTableEnv, set to a row count, turns the test binary into the
// baseline of the byte benchmarks: the stock bubbles v2 table showing the
// same generated fleet as `--demo --demo-size N`, with the same columns,
// as a real Bubble Tea program in the terminal it is started in.
const stockTableEnv = "SNAPDECK_BENCH_STOCK_TABLE"

func TestMain(m *testing.M) {
	if n := os.Getenv(stockTableEnv); n != "" {
		os.Exit(runStockTable(n))
	}
	os.Exit(m.Run())
}

// stockModel is the stock table with the least a list needs around it: a
// "/" filter that gives the table the rows that pass (the stock table has
// none of its own), and q to quit.
type stockModel struct {
	t         stock.Model
	all       []stock.Row
	hay       []string
	filtering bool
	query     string
	h         int
}

func runStockTable(arg string) int {
	var n int
	if _, err := fmt.Sscan(arg, &n); err != nil || n <= 0 {
		fmt.Fprintln(os.Stderr, "bad row count", arg)
		return 2
	}
	now := time.Now()
	f := simlinode.Seed(1, n, now)
	m := &stockModel{all: make([]stock.Row, 0, n), hay: make([]string, 0, n)}
	for _, in := range f.Instances {
		backups, snap := "off", "none"
		if in.BackupsEnabled {
			backups = "on"
		}
		if in.Current != nil {
			snap = format.Age(now, in.Current.Created)
		}
		tags := strings.Join(in.Tags, ",")
		var bs []model.Backup
		for _, b := range append(append([]*simlinode.Backup(nil), in.Automatic...), in.Current, in.InProgress) {
			if b != nil {
				bs = append(bs, model.Backup{Status: model.LinodeStatus(b.Status), Created: b.Created})
			}
		}
		hist := theme.HistoryText(model.History(bs, now, model.HistoryDays))
		m.all = append(m.all, stock.Row{in.Label, in.Region, in.Status, in.Type, backups, format.Age(now, in.LastSuccessful()), tags, hist, snap})
		m.hay = append(m.hay, strings.ToLower(in.Label+" "+in.Region+" "+tags))
	}
	m.t = stock.New(stock.WithColumns([]stock.Column{
		{Title: "LABEL", Width: 30}, {Title: "REGION", Width: 12}, {Title: "STATUS", Width: 12}, {Title: "PLAN", Width: 15},
		{Title: "BACKUPS", Width: 7}, {Title: "LAST GOOD", Width: 9}, {Title: "TAGS", Width: 12},
		{Title: "HISTORY", Width: model.HistoryDays}, {Title: "SNAPSHOT", Width: 11},
	}), stock.WithRows(m.all), stock.WithFocused(true))
	if _, err := tea.NewProgram(m).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func (m *stockModel) Init() tea.Cmd { return nil }

func (m *stockModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.h = msg.Height
		m.t.SetWidth(msg.Width)
		m.t.SetHeight(msg.Height - 1) // the last line is the filter's
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case msg.String() == "ctrl+c" || !m.filtering && msg.String() == "q":
			return m, tea.Quit
		case !m.filtering && msg.String() == "/":
			m.filtering = true
			return m, nil
		case m.filtering && (msg.String() == "esc" || msg.String() == "enter"):
			m.filtering = false
			return m, nil
		case m.filtering && msg.Text != "":
			m.query += msg.Text
			q := strings.ToLower(m.query)
			var kept []stock.Row
			for i, h := range m.hay {
				if strings.Contains(h, q) {
					kept = append(kept, m.all[i])
				}
			}
			m.t.SetRows(kept)
			m.t.SetCursor(0)
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.t, cmd = m.t.Update(msg)
	return m, cmd
}

func (m *stockModel) View() tea.View {
	line := ""
	if m.filtering || m.query != "" {
		line = "/" + m.query
	}
	v := tea.NewView(m.t.View() + "\n" + line)
	v.AltScreen = true
	return v
}
