package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// SocketInfo is what stat(2) says about a unix socket path (symlinks
// followed, as connect(2) follows them).
type SocketInfo struct {
	Path  string
	Mode  fs.FileMode // type and permission bits; Mode&fs.ModeSocket is set for a socket
	UID   uint32
	GID   uint32
	Owner string // user name of UID from Root/etc/passwd; "" when unknown
	Group string // group name of GID from Root/etc/group; "" when unknown
	// ACL is the POSIX access ACL (the system.posix_acl_access extended
	// attribute that php-fpm's listen.acl_users/listen.acl_groups set);
	// nil when the file has none.
	ACL []ACLEntry
}

// StatSocket stats path. The error is the *fs.PathError of stat(2)
// (errors.Is ENOENT, EACCES, ENOTDIR), or wraps ErrNotSocket when path is
// not a socket (the info is returned then too; connect(2) to it fails with
// ECONNREFUSED). Owner and group names are looked up best effort.
func (p *Prober) StatSocket(ctx context.Context, path string) (*SocketInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	info := &SocketInfo{Path: path, Mode: fi.Mode()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		info.UID, info.GID = st.Uid, st.Gid
	}
	info.ACL, _ = readACL(path)
	if a, _ := p.Accounts(ctx); a != nil {
		info.Owner, info.Group = a.UserName(info.UID), a.GroupName(info.GID)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return info, fmt.Errorf("probe: %s: %w (%v)", path, ErrNotSocket, fi.Mode().Type())
	}
	return info, nil
}

// Perm is the permission a path step needs.
type Perm uint8

// The permissions connect(2) to a unix socket needs (path_resolution(7),
// unix(7)).
const (
	PermSearch Perm = 1 // execute (search) on each directory of the path
	PermWrite  Perm = 2 // write on the socket file
)

// String returns "search" or "write".
func (p Perm) String() string {
	switch p {
	case PermSearch:
		return "search"
	case PermWrite:
		return "write"
	}
	return "perm(" + strconv.Itoa(int(p)) + ")"
}

// Class is the permission class that decided a step, in the kernel's
// order of evaluation (acl(5) "ACCESS CHECK ALGORITHM").
type Class uint8

// Permission classes.
const (
	ClassRoot    Class = 1 // uid 0: CAP_DAC_OVERRIDE bypasses the mode
	ClassOwner   Class = 2 // the file's owner: the owner bits (ACL_USER_OBJ)
	ClassACLUser Class = 3 // a named-user ACL entry, masked by ACL_MASK
	ClassGroup   Class = 4 // the file's group or a named-group ACL entry is one of the user's groups
	ClassOther   Class = 5 // everyone else: the other bits
)

var classNames = [...]string{"invalid", "root", "owner", "acl_user", "group", "other"}

// String returns "root", "owner", "acl_user", "group" or "other".
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// Decision is the outcome of a permission check.
type Decision uint8

// Decisions. The zero value is Undecided (the check did not get there).
const (
	Undecided Decision = iota
	Granted
	Denied
)

// String returns "undecided", "granted" or "denied".
func (d Decision) String() string {
	switch d {
	case Granted:
		return "granted"
	case Denied:
		return "denied"
	}
	return "undecided"
}

// AccessStep is the check of one path component.
type AccessStep struct {
	Path     string
	Mode     fs.FileMode
	UID      uint32
	GID      uint32
	Need     Perm
	Class    Class
	Decision Decision
}

// Access is the evaluation of "can this identity connect(2) to this unix
// socket path": search permission on every directory from / down, then
// write permission on the socket, as Linux checks them.
type Access struct {
	Path     string // the path as given
	Resolved string // the path with symlinks resolved, which the steps walk
	User     Identity
	Steps    []AccessStep // from "/" to the socket; stops at the first denied step
	Decision Decision
}

// AccessError reports a denied connect: Step is the path component whose
// mode (or ACL) refuses User. errors.Is(err, syscall.EACCES) and
// errors.Is(err, fs.ErrPermission) are true for it, as for nginx's
// "connect() to unix:… failed (13: Permission denied)".
type AccessError struct {
	Path string
	User Identity
	Step AccessStep
}

// Error names the user, the socket and the refusing path component.
func (e *AccessError) Error() string {
	return fmt.Sprintf("user %s (uid %d, gid %d, groups %v) cannot connect to %s: no %s permission on %s (%v %d:%d, %s class)",
		e.User.User, e.User.UID, e.User.GID, e.User.Groups, e.Path, e.Step.Need, e.Step.Path, e.Step.Mode, e.Step.UID, e.Step.GID, e.Step.Class)
}

// Unwrap returns syscall.EACCES.
func (e *AccessError) Unwrap() error { return syscall.EACCES }

// Access evaluates whether id can connect to the unix socket at path,
// from the modes, owners and POSIX ACLs of path's components, without
// connecting. Root (uid 0) is granted everything, as CAP_DAC_OVERRIDE
// does. Symlinks are resolved first and the resolved path is checked.
//
// The error is nil when access is granted, an *AccessError when it is
// denied, or the *fs.PathError of a component that cannot be stat'ed
// (ENOENT: the socket or a directory is missing). The *Access is
// returned in every case, with the steps done.
//
// Not modelled: capabilities other than uid 0's, LSMs (SELinux,
// AppArmor), mount options, and symlink components' own directories.
func (p *Prober) Access(ctx context.Context, path string, id Identity) (*Access, error) {
	a := &Access{Path: path, User: id}
	abs, err := filepath.Abs(path)
	if err != nil {
		return a, err
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		// keep walking the literal path to find which component is missing
		resolved = abs
	}
	a.Resolved = resolved
	parts := strings.Split(strings.TrimPrefix(resolved, "/"), "/")
	cur := "/"
	for i := -1; i < len(parts); i++ {
		need := PermSearch
		if i >= 0 {
			cur = filepath.Join(cur, parts[i])
			if i == len(parts)-1 {
				need = PermWrite
			}
		}
		fi, err := os.Stat(cur)
		if err != nil {
			return a, err
		}
		st := AccessStep{Path: cur, Mode: fi.Mode(), Need: need}
		if s, ok := fi.Sys().(*syscall.Stat_t); ok {
			st.UID, st.GID = s.Uid, s.Gid
		}
		acl, _ := readACL(cur)
		st.Class, st.Decision = check(id, st, acl)
		a.Steps = append(a.Steps, st)
		if st.Decision == Denied {
			a.Decision = Denied
			return a, &AccessError{Path: path, User: id, Step: st}
		}
	}
	a.Decision = Granted
	return a, nil
}

// check applies the kernel's permission check (acl(5) ACCESS CHECK
// ALGORITHM; without an ACL it reduces to the owner/group/other bits).
func check(id Identity, st AccessStep, acl []ACLEntry) (Class, Decision) {
	bit := fs.FileMode(1) // x
	if st.Need == PermWrite {
		bit = 2 // w
	}
	grant := func(c Class, ok bool) (Class, Decision) {
		if ok {
			return c, Granted
		}
		return c, Denied
	}
	if id.UID == 0 {
		return ClassRoot, Granted
	}
	perm := st.Mode.Perm()
	if id.UID == st.UID {
		return grant(ClassOwner, perm>>6&bit != 0)
	}
	if acl == nil {
		if id.HasGroup(st.GID) {
			return grant(ClassGroup, perm>>3&bit != 0)
		}
		return grant(ClassOther, perm&bit != 0)
	}
	mask := fs.FileMode(7)
	for _, e := range acl {
		if e.Tag == ACLMask {
			mask = fs.FileMode(e.Perm)
		}
	}
	for _, e := range acl {
		if e.Tag == ACLUser && e.ID == id.UID {
			return grant(ClassACLUser, fs.FileMode(e.Perm)&mask&bit != 0)
		}
	}
	matched, granted := false, false
	for _, e := range acl {
		if (e.Tag == ACLGroupObj && id.HasGroup(st.GID)) || (e.Tag == ACLGroup && id.HasGroup(e.ID)) {
			matched = true
			if fs.FileMode(e.Perm)&mask&bit != 0 {
				granted = true
			}
		}
	}
	if matched {
		return grant(ClassGroup, granted)
	}
	for _, e := range acl {
		if e.Tag == ACLOther {
			return grant(ClassOther, fs.FileMode(e.Perm)&bit != 0)
		}
	}
	return grant(ClassOther, perm&bit != 0)
}

// ACLTag is the tag of a POSIX ACL entry (linux/posix_acl_xattr.h).
type ACLTag uint16

// POSIX ACL entry tags.
const (
	ACLUserObj  ACLTag = 0x01 // the owner
	ACLUser     ACLTag = 0x02 // a named user (ID)
	ACLGroupObj ACLTag = 0x04 // the owning group
	ACLGroup    ACLTag = 0x08 // a named group (ID)
	ACLMask     ACLTag = 0x10 // the upper bound of ACLUser, ACLGroupObj and ACLGroup
	ACLOther    ACLTag = 0x20 // everyone else
)

// ACLEntry is one entry of a POSIX access ACL. Perm holds the rwx bits
// (4, 2, 1); ID is a uid for ACLUser, a gid for ACLGroup, else unused.
type ACLEntry struct {
	Tag  ACLTag
	Perm uint16
	ID   uint32
}

// errNoACL is returned by parseACL for an attribute that is not a
// version 2 POSIX ACL.
var errNoACL = errors.New("not a POSIX ACL xattr")

// readACL reads and decodes path's system.posix_acl_access attribute; it
// returns nil, nil when there is none.
func readACL(path string) ([]ACLEntry, error) {
	buf := make([]byte, 4+8*64)
	n, err := syscall.Getxattr(path, "system.posix_acl_access", buf)
	if err != nil {
		if errors.Is(err, syscall.ENODATA) || errors.Is(err, syscall.ENOTSUP) {
			return nil, nil
		}
		return nil, err
	}
	return parseACL(buf[:n])
}

// parseACL decodes the kernel's posix_acl_xattr format: a little-endian
// uint32 version (2) followed by 8-byte entries {uint16 tag, uint16 perm,
// uint32 id} (include/uapi/linux/posix_acl_xattr.h).
func parseACL(b []byte) ([]ACLEntry, error) {
	if len(b) < 4 || binary.LittleEndian.Uint32(b) != 2 || (len(b)-4)%8 != 0 {
		return nil, errNoACL
	}
	var acl []ACLEntry
	for b = b[4:]; len(b) >= 8; b = b[8:] {
		acl = append(acl, ACLEntry{
			Tag:  ACLTag(binary.LittleEndian.Uint16(b)),
			Perm: binary.LittleEndian.Uint16(b[2:]),
			ID:   binary.LittleEndian.Uint32(b[4:]),
		})
	}
	return acl, nil
}
