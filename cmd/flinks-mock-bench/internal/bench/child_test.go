package bench

import "testing"

func TestParseListening(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{`time=2026-11-24T21:37:53.151Z level=INFO msg="flinks-mock listening" url=http://127.0.0.1:18555 logins=18 example=http://127.0.0.1:18555/v3/x`, "http://127.0.0.1:18555", true},
		{`level=INFO msg="refserver listening" url=http://127.0.0.1:40001`, "http://127.0.0.1:40001", true},
		{`level=INFO msg="listening" url="http://[::1]:8080"`, "http://[::1]:8080", true},
		{`level=INFO msg="session opened" url=http://127.0.0.1:1`, "", false},
		{`level=INFO msg="flinks-mock listening" addr=127.0.0.1:1`, "", false},
		{`level=INFO msg="flinks-mock listening" url=ftp://127.0.0.1:1`, "", false},
		{``, "", false},
	}
	for _, tt := range tests {
		got, ok := parseListening(tt.line)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseListening(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStatusField(t *testing.T) {
	status := []byte("Name:\tflinks-mock\nVmPeak:\t 1261500 kB\nVmHWM:\t   30000 kB\nVmRSS:\t   22108 kB\nThreads:\t7\n")
	tests := []struct {
		data    []byte
		name    string
		want    int64
		wantErr bool
	}{
		{status, "VmRSS", 22108 << 10, false},
		{status, "VmHWM", 30000 << 10, false},
		{status, "VmSwap", 0, true},
		{[]byte("VmRSS:\t 12 MB\n"), "VmRSS", 0, true},
		{[]byte("VmRSS:\t lots kB\n"), "VmRSS", 0, true},
		{[]byte("VmRSS:\t -4 kB\n"), "VmRSS", 0, true},
	}
	for _, tt := range tests {
		got, err := statusField(tt.data, tt.name)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("statusField(%q, %s) = %d, %v; want %d, error %v", tt.data, tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
