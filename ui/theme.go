package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/model"
)

// theme is the one set of styles passed down to every view. Colour is never
// the only signal: statuses also carry a symbol, so NO_COLOR loses nothing.
type theme struct {
	title    lipgloss.Style
	crumb    lipgloss.Style
	header   lipgloss.Style
	selected lipgloss.Style
	dim      lipgloss.Style
	bad      lipgloss.Style
	good     lipgloss.Style
	warn     lipgloss.Style
	info     lipgloss.Style
	errBox   lipgloss.Style
	label    lipgloss.Style
	filter   lipgloss.Style
}

var (
	red    = lipgloss.Color("9")
	green  = lipgloss.Color("10")
	yellow = lipgloss.Color("11")
	blue   = lipgloss.Color("12")
	purple = lipgloss.Color("13")
	grey   = lipgloss.Color("8")
)

func newTheme() theme {
	return theme{
		title:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		crumb:    lipgloss.NewStyle().Foreground(lipgloss.Color("7")),
		header:   lipgloss.NewStyle().Bold(true).Underline(true),
		selected: lipgloss.NewStyle().Reverse(true),
		dim:      lipgloss.NewStyle().Foreground(grey),
		bad:      lipgloss.NewStyle().Foreground(red),
		good:     lipgloss.NewStyle().Foreground(green),
		warn:     lipgloss.NewStyle().Foreground(yellow),
		info:     lipgloss.NewStyle().Foreground(blue),
		errBox:   lipgloss.NewStyle().Foreground(red).Bold(true),
		label:    lipgloss.NewStyle().Bold(true),
		filter:   lipgloss.NewStyle().Foreground(yellow),
	}
}

// statusText is a backup status with the symbol of its group.
func statusText(s model.Status, raw string) string {
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

func statusColor(s model.Status) color.Color {
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
