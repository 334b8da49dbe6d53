// Command release builds agendacal's release archives, reproducibly: the
// same source, Go release and version give byte-identical archives.
//
//	go run ./internal/release -version v1.2.3 -out dist
//
// For each platform it cross-compiles a static binary (CGO_ENABLED=0,
// -trimpath, no build id, the version stamped) and packs it with the
// README, the shell completions and the man page into a .tar.gz (a .zip
// for Windows) whose entries are sorted and dated SOURCE_DATE_EPOCH (the
// last commit's time by default), then writes SHA256SUMS.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	version := flag.String("version", "", "the version to stamp, such as v1.2.3")
	out := flag.String("out", "dist", "the folder to write the archives into")
	flag.Parse()
	if err := release(*version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

// file is one entry of an archive.
type file struct {
	name string
	mode int64
	data []byte
}

func release(version, out string) error {
	if version == "" {
		return fmt.Errorf("give -version, such as v1.2.3")
	}
	epoch, err := sourceDate()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "agendacal-release-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// The completions and the man page, from a binary for this machine.
	host := filepath.Join(work, "agendacal-host")
	if err := build(host, "", "", version); err != nil {
		return err
	}
	docs := []file{}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return err
	}
	docs = append(docs, file{"README.md", 0o644, readme})
	for _, d := range []struct{ name, cmd, arg string }{
		{"completions/agendacal.bash", "completion", "bash"},
		{"completions/_agendacal", "completion", "zsh"},
		{"completions/agendacal.fish", "completion", "fish"},
		{"completions/agendacal.ps1", "completion", "powershell"},
		{"man/agendacal.1", "man", ""},
	} {
		args := []string{d.cmd}
		if d.arg != "" {
			args = append(args, d.arg)
		}
		data, err := exec.Command(host, args...).Output()
		if err != nil {
			return fmt.Errorf("agendacal %s: %w", strings.Join(args, " "), err)
		}
		docs = append(docs, file{d.name, 0o644, data})
	}

	platforms := []struct{ os, arch string }{
		{"linux", "amd64"}, {"linux", "arm64"},
		{"darwin", "amd64"}, {"darwin", "arm64"},
		{"windows", "amd64"}, {"windows", "arm64"},
	}
	var sums []string
	for _, p := range platforms {
		exe := "agendacal"
		if p.os == "windows" {
			exe += ".exe"
		}
		bin := filepath.Join(work, p.os+"-"+p.arch, exe)
		if err := build(bin, p.os, p.arch, version); err != nil {
			return err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		base := fmt.Sprintf("agendacal_%s_%s_%s", strings.TrimPrefix(version, "v"), p.os, p.arch)
		files := append([]file{{exe, 0o755, data}}, docs...)
		var archive []byte
		name := base + ".tar.gz"
		if p.os == "windows" {
			name = base + ".zip"
			archive, err = zipArchive(base, files, epoch)
		} else {
			archive, err = tarArchive(base, files, epoch)
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, name), archive, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(archive)
		sums = append(sums, hex.EncodeToString(sum[:])+"  "+name)
		fmt.Fprintln(os.Stderr, "release: wrote", filepath.Join(out, name))
	}
	sort.Strings(sums)
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(strings.Join(sums, "\n")+"\n"), 0o644)
}

// build cross-compiles agendacal reproducibly.
func build(out, goos, goarch, version string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -buildid= -X main.releaseVersion="+version, "-o", out, "./cmd/agendacal")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if goos != "" {
		cmd.Env = append(cmd.Env, "GOOS="+goos, "GOARCH="+goarch)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s/%s: %w", goos, goarch, err)
	}
	return nil
}

// sourceDate is SOURCE_DATE_EPOCH, or the last commit's time.
func sourceDate() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		out, err := exec.Command("git", "log", "-1", "--format=%ct").Output()
		if err != nil {
			return time.Time{}, fmt.Errorf("set SOURCE_DATE_EPOCH, or run in a git checkout: %w", err)
		}
		s = strings.TrimSpace(string(out))
	}
	secs, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
	}
	return time.Unix(secs, 0).UTC(), nil
}

// tarArchive packs files under dir in a gzip-compressed tar, entries in
// order, owned by root, dated at.
func tarArchive(dir string, files []file, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	for _, f := range sorted(files) {
		hdr := &tar.Header{Name: dir + "/" + f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: at, Typeflag: tar.TypeReg, Format: tar.FormatPAX, Uname: "root", Gname: "root"}
		hdr.PAXRecords = nil
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// zipArchive packs files under dir in a zip, entries in order, dated at.
func zipArchive(dir string, files []file, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range sorted(files) {
		hdr := &zip.FileHeader{Name: dir + "/" + f.name, Method: zip.Deflate, Modified: at}
		hdr.SetMode(os.FileMode(f.mode))
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, bytes.NewReader(f.data)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sorted(files []file) []file {
	out := append([]file(nil), files...)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
