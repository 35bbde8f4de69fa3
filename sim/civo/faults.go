package civo

import "github.com/snapdeck/snapdeck/sim"

// The fault switches are the chassis's, named here for callers' convenience.
type (
	Fault  = sim.Fault
	Faults = sim.Faults
)

const (
	FaultNone       = sim.FaultNone
	Fault500        = sim.Fault500
	Fault502        = sim.Fault502
	Fault503        = sim.Fault503
	Fault429        = sim.Fault429
	FaultReset      = sim.FaultReset
	FaultHang       = sim.FaultHang
	FaultHTML       = sim.FaultHTML
	FaultTruncated  = sim.FaultTruncated
	FaultWrongTypes = sim.FaultWrongTypes
	FaultMissing    = sim.FaultMissing
	FaultHuge       = sim.FaultHuge
	FaultDrip       = sim.FaultDrip
	FaultLost500    = sim.FaultLost500
	FaultLostReset  = sim.FaultLostReset
)

var (
	AllFaults = sim.AllFaults
	Burst     = sim.Burst
)
