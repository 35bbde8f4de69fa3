// Package theme is the one set of styles every part of the UI draws with.
// Colour is never the only signal: statuses also carry a symbol, so
// NO_COLOR loses nothing.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/model"
)

// Theme is passed down to every view.
type Theme struct {
	Title    lipgloss.Style
	Crumb    lipgloss.Style
	Header   lipgloss.Style
	Selected lipgloss.Style
	Cursor   lipgloss.Style // the table's cursor marker
	Dim      lipgloss.Style
	Bad      lipgloss.Style
	Good     lipgloss.Style
	Warn     lipgloss.Style
	Info     lipgloss.Style
	ErrBox   lipgloss.Style
	Label    lipgloss.Style
	Filter   lipgloss.Style
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
		Title:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		Crumb:    lipgloss.NewStyle().Foreground(lipgloss.Color("7")),
		Header:   lipgloss.NewStyle().Bold(true).Underline(true),
		Selected: lipgloss.NewStyle().Reverse(true),
		Cursor:   lipgloss.NewStyle().Foreground(lipgloss.Color("14")).Bold(true),
		Dim:      lipgloss.NewStyle().Foreground(grey),
		Bad:      lipgloss.NewStyle().Foreground(red),
		Good:     lipgloss.NewStyle().Foreground(green),
		Warn:     lipgloss.NewStyle().Foreground(yellow),
		Info:     lipgloss.NewStyle().Foreground(blue),
		ErrBox:   lipgloss.NewStyle().Foreground(red).Bold(true),
		Label:    lipgloss.NewStyle().Bold(true),
		Filter:   lipgloss.NewStyle().Foreground(yellow),
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
