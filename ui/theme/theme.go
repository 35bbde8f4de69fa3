// Package theme is the one set of styles every part of the UI draws with.
// Colour is never the only signal: statuses also carry a symbol, so
// NO_COLOR loses nothing.
package theme

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/model"
)

// Theme is passed down to every view.
type Theme struct {
	Title  lipgloss.Style
	Crumb  lipgloss.Style
	Header lipgloss.Style
	Cursor lipgloss.Style // the table's cursor marker
	Dim    lipgloss.Style
	Bad    lipgloss.Style
	Good   lipgloss.Style
	Warn   lipgloss.Style
	Info   lipgloss.Style
	ErrBox lipgloss.Style
	Label  lipgloss.Style
	Filter lipgloss.Style
}

var (
	red    = lipgloss.Color("9")
	green  = lipgloss.Color("10")
	yellow = lipgloss.Color("11")
	blue   = lipgloss.Color("12")
	purple = lipgloss.Color("13")
	grey   = lipgloss.Color("8")
)

// New is the default theme.
func New() Theme {
	return Theme{
		Title:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		Crumb:  lipgloss.NewStyle().Foreground(lipgloss.Color("7")),
		Header: lipgloss.NewStyle().Bold(true).Underline(true),
		Cursor: lipgloss.NewStyle().Foreground(lipgloss.Color("14")).Bold(true),
		Dim:    lipgloss.NewStyle().Foreground(grey),
		Bad:    lipgloss.NewStyle().Foreground(red),
		Good:   lipgloss.NewStyle().Foreground(green),
		Warn:   lipgloss.NewStyle().Foreground(yellow),
		Info:   lipgloss.NewStyle().Foreground(blue),
		ErrBox: lipgloss.NewStyle().Foreground(red).Bold(true),
		Label:  lipgloss.NewStyle().Bold(true),
		Filter: lipgloss.NewStyle().Foreground(yellow),
	}
}

// Production frames a production account's top bar.
var Production = lipgloss.NewStyle().Background(red).Foreground(lipgloss.Color("15")).Bold(true)

// StatusText is a backup status with the symbol of its group.
func StatusText(s model.Status, raw string) string {
	word := raw
	if word == "" {
		word = string(s)
	}
	switch s {
	case model.StatusSuccessful:
		return "✓ " + word
	case model.StatusRunning:
		return "● " + word
	case model.StatusPending:
		return "◌ " + word
	case model.StatusFailed:
		return "✗ " + word
	case model.StatusAborted:
		return "⊘ " + word
	}
	return "? " + word
}

// StatusColor is the colour of a status's group.
func StatusColor(s model.Status) color.Color {
	switch s {
	case model.StatusSuccessful:
		return green
	case model.StatusRunning:
		return yellow
	case model.StatusPending:
		return blue
	case model.StatusFailed:
		return red
	case model.StatusAborted:
		return purple
	}
	return grey
}

// AgeText marks the age of a newest good backup as stale (⚠) or fresh (✓),
// so the difference survives NO_COLOR and colour blindness.
func AgeText(age string, stale bool) string {
	if stale {
		return "⚠ " + age
	}
	return "✓ " + age
}

// dayGlyphs are the cells of a backup history strip, one per day: each
// state has its own glyph, so a strip reads the same without colour.
var dayGlyphs = []struct {
	state model.DayState
	glyph string
	word  string
	color color.Color
}{
	{model.DayGood, "█", "good", green},
	{model.DayFailed, "✗", "failed", red},
	{model.DayRunning, "◐", "running", yellow},
	{model.DayNone, "·", "none", grey},
	{model.DayUnknown, "?", "unknown", grey},
}

// DayGlyph is a history day's cell.
func DayGlyph(s model.DayState) string {
	for _, g := range dayGlyphs {
		if g.state == s {
			return g.glyph
		}
	}
	return "?"
}

// DayStyle is the style of a history day's cell.
func DayStyle(s model.DayState) lipgloss.Style {
	for _, g := range dayGlyphs {
		if g.state == s {
			return lipgloss.NewStyle().Foreground(g.color)
		}
	}
	return lipgloss.NewStyle().Foreground(grey)
}

// HistoryText is a history as plain glyphs, oldest first: for a table
// cell, whose one style is applied after it is cut.
func HistoryText(h []model.Day) string {
	var b strings.Builder
	for _, d := range h {
		b.WriteString(DayGlyph(d.State))
	}
	return b.String()
}

// HistoryStrip is a history as coloured glyphs, oldest first.
func HistoryStrip(h []model.Day) string {
	var b strings.Builder
	for _, d := range h {
		b.WriteString(DayStyle(d.State).Render(DayGlyph(d.State)))
	}
	return b.String()
}

// HistoryLegend names every glyph of a history strip, coloured as drawn.
func HistoryLegend() string { return historyLegend(true) }

// HistoryLegendPlain is HistoryLegend without colour, for the CLI's tables.
func HistoryLegendPlain() string { return historyLegend(false) }

func historyLegend(colour bool) string { return strings.Join(historyItems(colour), "  ") }

// HistoryItems are HistoryLegend's items, "█ good" and so on, for a legend
// laid out by its caller.
func HistoryItems() []string { return historyItems(true) }

func historyItems(colour bool) []string {
	parts := make([]string, len(dayGlyphs))
	for i, g := range dayGlyphs {
		glyph := g.glyph
		if colour {
			glyph = lipgloss.NewStyle().Foreground(g.color).Render(glyph)
		}
		parts[i] = glyph + " " + g.word
	}
	return parts
}

// shareGlyphs shade a fleet's day by the share of its known resources
// with a good backup, densest for all; none good is a failed day's glyph.
var shareGlyphs = []struct {
	atLeast float64 // share of good among known, inclusive
	glyph   string
	word    string
	color   color.Color
}{
	{1, "█", "all", green},
	{2.0 / 3, "▓", "≥⅔", green},
	{1.0 / 3, "▒", "≥⅓", yellow},
	{0.000001, "░", "some", yellow},
	{0, "✗", "none", red},
}

// ShareGlyph is a fleet day's cell; "?" when no resource's history is known.
func ShareGlyph(d model.DayShare) (string, lipgloss.Style) {
	if d.Known == 0 {
		return "?", lipgloss.NewStyle().Foreground(grey)
	}
	share := float64(d.Good) / float64(d.Known)
	for _, g := range shareGlyphs {
		if share >= g.atLeast {
			return g.glyph, lipgloss.NewStyle().Foreground(g.color)
		}
	}
	return "✗", lipgloss.NewStyle().Foreground(red)
}

// ShareStrip is a fleet history as coloured glyphs, oldest first.
func ShareStrip(f []model.DayShare) string {
	var b strings.Builder
	for _, d := range f {
		g, st := ShareGlyph(d)
		b.WriteString(st.Render(g))
	}
	return b.String()
}

// ShareLegend names every glyph of a fleet strip, coloured as drawn.
func ShareLegend() string {
	parts := make([]string, 0, len(shareGlyphs)+1)
	for _, g := range shareGlyphs {
		parts = append(parts, lipgloss.NewStyle().Foreground(g.color).Render(g.glyph)+" "+g.word)
	}
	parts = append(parts, lipgloss.NewStyle().Foreground(grey).Render("?")+" unknown")
	return "good backups per day: " + strings.Join(parts, "  ")
}
