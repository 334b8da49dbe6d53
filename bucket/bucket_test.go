package bucket

import (
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	creds := map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
	tests := []struct {
		address string
		vars    map[string]string
		where   string
		err     string
	}{
		{"s3://calendars", creds, "s3://calendars/", ""},
		{"s3://calendars/meetings/pristina/", creds, "s3://calendars/meetings/pristina/", ""},
		{"s3://calendars/a", map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": "http://127.0.0.1:7070"}, "s3://calendars/a/", ""},
		{"s3:/calendars", creds, "", "is not a bucket address"},
		{"https://calendars", creds, "", "is not a bucket address"},
		{"s3://calendars", map[string]string{"AWS_ACCESS_KEY_ID": "k"}, "", "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{"s3://calendars", map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": "storage.example.org"}, "", "AWS_ENDPOINT_URL"},
	}
	for _, tt := range tests {
		target, err := New(tt.address, env(tt.vars))
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: got %v, want an error saying %q", tt.address, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.address, err)
		case tt.err == "" && target.Where() != tt.where:
			t.Errorf("%s: at %s, want %s", tt.address, target.Where(), tt.where)
		}
	}
}

// The path-style addressing other servers need, and virtual hosts on AWS.
func TestEndpointStyle(t *testing.T) {
	vars := map[string]string{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": "https://storage.example.org"}
	target, err := New("s3://calendars/x", func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := target.client.EndpointURL().Host; got != "storage.example.org" {
		t.Errorf("endpoint %s", got)
	}
}
