package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The load tool shares the machine with the server (and with PostgreSQL), so a throughput figure
// means little without knowing who used the CPU. These readings come from Linux's /proc; elsewhere
// they are left out.

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux that Go supports.
const clockTicks = 100

// cpuSample is the CPU time used so far, in clock ticks, by the machine and by the processes watched.
type cpuSample struct {
	at       time.Time
	busy     uint64 // every CPU, all but idle and iowait
	self     uint64
	server   uint64 // 0 when no server pid is known
	postgres uint64 // every process named postgres
}

// cpuUse is what each part used during a run, in percent of one core (200 = both cores of two).
type cpuUse struct {
	Cores    int     `json:"cores"`
	Machine  float64 `json:"machine_percent"`
	Server   float64 `json:"server_percent,omitempty"`
	Load     float64 `json:"load_tool_percent"`
	Postgres float64 `json:"postgres_percent,omitempty"`
	Other    float64 `json:"other_percent"` // the rest: other programs, interrupts
}

func (c cpuUse) String() string {
	s := fmt.Sprintf("machine %.0f of %d00", c.Machine, c.Cores)
	if c.Server > 0 {
		s += fmt.Sprintf(", helpdesk server %.0f", c.Server)
	}
	if c.Postgres >= 1 {
		s += fmt.Sprintf(", postgres %.0f", c.Postgres)
	}
	return s + fmt.Sprintf(", load tool %.0f, other %.0f", c.Load, c.Other)
}

// sampleCPU reads the counters; ok is false where /proc is missing.
func sampleCPU(serverPID int) (s cpuSample, ok bool) {
	s.at = time.Now()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 8 || f[0] != "cpu" {
		return s, false
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		if i < 8 && i != 3 && i != 4 { // up to steal; guest time is already in user
			s.busy += n
		}
	}
	s.self = procCPU("self")
	if serverPID > 0 {
		s.server = procCPU(strconv.Itoa(serverPID))
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if comm, err := os.ReadFile(d + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			s.postgres += procCPU(filepath.Base(d))
		}
	}
	return s, true
}

// procCPU is the user and system time of a process, 0 if it cannot be read.
func procCPU(pid string) uint64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...: comm may hold spaces, so count fields after its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseUint(f[11], 10, 64) // utime, field 14 of proc(5)
	k, _ := strconv.ParseUint(f[12], 10, 64) // stime, field 15
	return u + k
}

// cpuBetween is the use between two samples, nil if either failed or if they are too close
// together for /proc's 10ms ticks to mean much.
func cpuBetween(a, b cpuSample, okA, okB bool, cores int) *cpuUse {
	wall := b.at.Sub(a.at).Seconds()
	if !okA || !okB || wall < 0.5 {
		return nil
	}
	pct := func(x, y uint64) float64 {
		if y < x {
			return 0
		}
		return float64(y-x) / clockTicks / wall * 100
	}
	u := &cpuUse{Cores: cores, Machine: pct(a.busy, b.busy), Server: pct(a.server, b.server),
		Load: pct(a.self, b.self), Postgres: pct(a.postgres, b.postgres)}
	u.Other = max(0, u.Machine-u.Server-u.Load-u.Postgres)
	return u
}

// idleCheck warns when something else keeps the machine busy, since the figures would then say
// more about that than about the server.
func idleCheck(ctx context.Context, serverPID int, w io.Writer) {
	a, okA := sampleCPU(serverPID)
	select {
	case <-ctx.Done():
		return
	case <-time.After(time.Second):
	}
	b, okB := sampleCPU(serverPID)
	if u := cpuBetween(a, b, okA, okB, runtime.NumCPU()); u != nil && u.Other > 15 {
		fmt.Fprintf(w, "warning: before the load, %.0f%% of a core was busy with other work; the figures will be low\n", u.Other)
	}
}
