package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/badgateway/badgateway"
	"github.com/google/go-cmp/cmp"
)

func TestParseAccounts(t *testing.T) {
	passwd := "root:x:0:0:root:/root:/bin/bash\n" +
		"\n" +
		"www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n" +
		"broken:x:1:1\n" +
		"+nisuser::::::\n" +
		"baduid:x:-1:0::/:/bin/sh\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\r\n"
	users, probs := ParsePasswd(strings.NewReader(passwd), "passwd")
	wantUsers := []User{
		{Name: "root", Home: "/root", Shell: "/bin/bash", Pos: badgateway.Pos{File: "passwd", Line: 1, Col: 1}},
		{Name: "www-data", UID: 33, GID: 33, Home: "/var/www", Shell: "/usr/sbin/nologin", Pos: badgateway.Pos{File: "passwd", Line: 3, Col: 1, Offset: 33}},
		{Name: "nobody", UID: 65534, GID: 65534, Home: "/nonexistent", Shell: "/usr/sbin/nologin", Pos: badgateway.Pos{File: "passwd", Line: 7, Col: 1, Offset: 139}},
	}
	if d := cmp.Diff(wantUsers, users); d != "" {
		t.Errorf("users (-want +got)\n%s", d)
	}
	var lines []int
	for _, p := range probs {
		lines = append(lines, p.Pos.Line)
	}
	if d := cmp.Diff([]int{4, 6}, lines); d != "" {
		t.Errorf("problem lines (-want +got)\n%s\n%v", d, probs)
	}

	group := "root:x:0:\nwww-data:x:33:\nsockets:x:900:nobody, www-data\nnogroup:x:65534:\nbad:x:notanumber:\n"
	groups, probs := ParseGroup(strings.NewReader(group), "group")
	if len(groups) != 4 || len(probs) != 1 || probs[0].Pos.Line != 5 {
		t.Fatalf("groups %v problems %v", groups, probs)
	}
	if d := cmp.Diff([]string{"nobody", "www-data"}, groups[2].Members); d != "" {
		t.Errorf("members (-want +got)\n%s", d)
	}

	a := &Accounts{Users: users, Groups: groups}
	tests := []struct {
		user, group string
		want        Identity
		err         error
	}{
		{"nobody", "", Identity{User: "nobody", UID: 65534, GID: 65534, Groups: []uint32{900, 65534}}, nil},
		{"www-data", "nogroup", Identity{User: "www-data", UID: 33, GID: 65534, Groups: []uint32{900, 65534}}, nil},
		{"33", "", Identity{User: "www-data", UID: 33, GID: 33, Groups: []uint32{33, 900}}, nil},
		{"root", "", Identity{User: "root", Groups: []uint32{0}}, nil},
		{"nginx", "", Identity{}, ErrUnknownUser},
		{"nobody", "nginx", Identity{}, ErrUnknownUser},
	}
	for _, tt := range tests {
		got, err := a.Identity(tt.user, tt.group)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("Identity(%q, %q) err = %v, want %v", tt.user, tt.group, err, tt.err)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("Identity(%q, %q) (-want +got)\n%s", tt.user, tt.group, d)
		}
	}
}

func TestAccountsUnderRoot(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte("app:x:1000:1000::/home/app:/bin/sh\nbad line\n"), 0o644)
	p := Prober{Root: root}
	a, err := p.Accounts(context.Background())
	if len(a.Users) != 1 || a.Users[0].Name != "app" {
		t.Errorf("users = %v", a.Users)
	}
	// the bad passwd line is a problem with its position; the missing
	// group file is an ENOENT.
	var probs badgateway.Problems
	if !errors.As(err, &probs) || probs[0].Pos.Line != 2 || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}

// kernelConnect asks the kernel itself whether id may connect to path: it
// connects from a locked OS thread whose filesystem uid, gid and
// supplementary groups are id's (setfsuid(2) drops root's
// CAP_DAC_OVERRIDE for that thread only). The thread is discarded after.
func kernelConnect(t *testing.T, path string, id Identity) error {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("kernel cross-check needs root")
	}
	ch := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		groups := make([]uint32, len(id.Groups)+1)
		copy(groups, id.Groups)
		if _, _, e := syscall.RawSyscall(syscall.SYS_SETGROUPS, uintptr(len(id.Groups)), uintptr(unsafe.Pointer(&groups[0])), 0); e != 0 {
			ch <- e
			return
		}
		syscall.RawSyscall(syscall.SYS_SETFSGID, uintptr(id.GID), 0, 0)
		syscall.RawSyscall(syscall.SYS_SETFSUID, uintptr(id.UID), 0, 0)
		fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			ch <- err
			return
		}
		err = syscall.Connect(fd, &syscall.SockaddrUnix{Name: path})
		syscall.Close(fd)
		ch <- err
	}()
	return <-ch
}

func TestAccessAgainstKernel(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // t.TempDir's parent is 0700
	os.Chmod(dir, 0o755)
	sub := filepath.Join(dir, "run")
	os.Mkdir(sub, 0o755)
	sock := filepath.Join(sub, "fpm.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := filepath.Join(dir, "link.sock")
	os.Symlink(sock, link)

	nobody := Identity{User: "nobody", UID: 65534, GID: 65534, Groups: []uint32{65534}}
	wwwInGroup := Identity{User: "www-data", UID: 33, GID: 33, Groups: []uint32{33, 900}}
	owner := Identity{User: "app", UID: 1000, GID: 1000, Groups: []uint32{1000}}
	root := Identity{User: "root", Groups: []uint32{0}}

	tests := []struct {
		name      string
		dirMode   os.FileMode
		sockMode  os.FileMode
		uid, gid  int
		acl       []ACLEntry
		id        Identity
		path      string
		want      Decision
		wantClass Class
		wantStep  string // path of the deciding step
	}{
		{"0660 root:root, nobody", 0o755, 0o660, 0, 0, nil, nobody, sock, Denied, ClassOther, sock},
		{"0660 root:root, root", 0o755, 0o660, 0, 0, nil, root, sock, Granted, ClassRoot, sock},
		{"0000 root:root, root", 0o700, 0o000, 0, 0, nil, root, sock, Granted, ClassRoot, sock},
		{"0660 app:sockets, group member", 0o755, 0o660, 1000, 900, nil, wwwInGroup, sock, Granted, ClassGroup, sock},
		{"0606 app:sockets, group member denied though other may", 0o755, 0o606, 1000, 900, nil, wwwInGroup, sock, Denied, ClassGroup, sock},
		{"0066 app:app, owner denied though others may", 0o755, 0o066, 1000, 1000, nil, owner, sock, Denied, ClassOwner, sock},
		{"0666 socket, directory 0750 root:root", 0o750, 0o666, 0, 0, nil, nobody, sock, Denied, ClassOther, sub},
		{"0666 socket, directory 0710 root:sockets", 0o710, 0o666, 0, 900, nil, wwwInGroup, sock, Granted, ClassGroup, sock},
		{"0666 through a symlink", 0o755, 0o666, 0, 0, nil, nobody, link, Granted, ClassOther, sock},
		{"0660 with ACL user nobody rw", 0o755, 0o660, 0, 0,
			[]ACLEntry{{ACLUserObj, 6, 0}, {ACLUser, 6, 65534}, {ACLGroupObj, 6, 0}, {ACLMask, 6, 0}, {ACLOther, 0, 0}},
			nobody, sock, Granted, ClassACLUser, sock},
		{"ACL user nobody rw, mask r", 0o755, 0o640, 0, 0,
			[]ACLEntry{{ACLUserObj, 6, 0}, {ACLUser, 6, 65534}, {ACLGroupObj, 6, 0}, {ACLMask, 4, 0}, {ACLOther, 0, 0}},
			nobody, sock, Denied, ClassACLUser, sock},
		{"ACL group sockets rw", 0o755, 0o660, 0, 0,
			[]ACLEntry{{ACLUserObj, 6, 0}, {ACLGroupObj, 0, 0}, {ACLGroup, 6, 900}, {ACLMask, 6, 0}, {ACLOther, 0, 0}},
			wwwInGroup, sock, Granted, ClassGroup, sock},
		{"ACL, not listed", 0o755, 0o660, 0, 0,
			[]ACLEntry{{ACLUserObj, 6, 0}, {ACLGroupObj, 0, 0}, {ACLGroup, 6, 900}, {ACLMask, 6, 0}, {ACLOther, 0, 0}},
			nobody, sock, Denied, ClassOther, sock},
	}
	var p Prober
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to chown")
			}
			syscall.Removexattr(sock, "system.posix_acl_access")
			must(t, os.Chmod(sub, tt.dirMode))
			must(t, os.Chown(sub, 0, tt.gid))
			must(t, os.Chmod(sock, tt.sockMode))
			must(t, os.Chown(sock, tt.uid, tt.gid))
			if tt.acl != nil {
				if err := syscall.Setxattr(sock, "system.posix_acl_access", encodeACL(tt.acl), 0); err != nil {
					t.Skipf("file system has no POSIX ACLs: %v", err)
				}
			}
			a, err := p.Access(context.Background(), tt.path, tt.id)
			if a.Decision != tt.want {
				t.Errorf("decision = %v, want %v (err %v)", a.Decision, tt.want, err)
			}
			last := a.Steps[len(a.Steps)-1]
			if last.Class != tt.wantClass || last.Path != tt.wantStep {
				t.Errorf("deciding step = %+v, want class %v on %s", last, tt.wantClass, tt.wantStep)
			}
			if (tt.want == Denied) != errors.Is(err, syscall.EACCES) {
				t.Errorf("err = %v", err)
			}
			// The kernel must agree.
			kerr := kernelConnect(t, tt.path, tt.id)
			if (tt.want == Granted) != (kerr == nil) || (tt.want == Denied) != errors.Is(kerr, syscall.EACCES) {
				t.Errorf("kernel connect as %s: %v; probe says %v", tt.id.User, kerr, a.Decision)
			}
		})
	}

	t.Run("missing", func(t *testing.T) {
		a, err := p.Access(context.Background(), filepath.Join(sub, "gone", "x.sock"), nobody)
		if !errors.Is(err, syscall.ENOENT) || a.Decision != Undecided {
			t.Errorf("err = %v, decision %v", err, a.Decision)
		}
	})
}

func TestStatSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	os.Chmod(sock, 0o660)
	os.MkdirAll(filepath.Join(dir, "root", "etc"), 0o755)
	os.WriteFile(filepath.Join(dir, "root", "etc", "passwd"), []byte("toor:x:0:0::/:/bin/sh\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "root", "etc", "group"), []byte("wheel:x:0:\n"), 0o644)
	p := Prober{Root: filepath.Join(dir, "root")}
	info, err := p.StatSocket(context.Background(), sock)
	if err != nil {
		t.Fatal(err)
	}
	want := &SocketInfo{Path: sock, Mode: fs.ModeSocket | 0o660, UID: uint32(os.Geteuid()), GID: uint32(os.Getegid())}
	if os.Geteuid() == 0 && os.Getegid() == 0 {
		want.Owner, want.Group = "toor", "wheel"
	}
	if d := cmp.Diff(want, info); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	_, err = p.StatSocket(context.Background(), filepath.Join(dir, "none.sock"))
	diffErr(t, err, syscall.ENOENT)
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	info, err = p.StatSocket(context.Background(), filepath.Join(dir, "file"))
	diffErr(t, err, ErrNotSocket)
	if info == nil || info.Mode.Type() != 0 {
		t.Errorf("info = %+v", info)
	}
}

func TestParseACL(t *testing.T) {
	in := []ACLEntry{{ACLUserObj, 6, 0xffffffff}, {ACLUser, 6, 33}, {ACLMask, 6, 0xffffffff}, {ACLOther, 0, 0xffffffff}}
	got, err := parseACL(encodeACL(in))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	for _, bad := range [][]byte{nil, {2, 0, 0}, {1, 0, 0, 0}, {2, 0, 0, 0, 1}} {
		if _, err := parseACL(bad); err == nil {
			t.Errorf("parseACL(% x) = nil error", bad)
		}
	}
}

func encodeACL(acl []ACLEntry) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range acl {
		id := e.ID
		if e.Tag != ACLUser && e.Tag != ACLGroup {
			id = 0xffffffff
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(e.Tag))
		b = binary.LittleEndian.AppendUint16(b, e.Perm)
		b = binary.LittleEndian.AppendUint32(b, id)
	}
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
