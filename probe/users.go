package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/badgateway/badgateway"
)

// User is one line of /etc/passwd (passwd(5): name:password:UID:GID:GECOS:directory:shell).
type User struct {
	Name  string
	UID   uint32
	GID   uint32 // primary group
	Home  string
	Shell string
	Pos   badgateway.Pos // the line it was read from
}

// Group is one line of /etc/group (group(5): name:password:GID:user_list).
type Group struct {
	Name    string
	GID     uint32
	Members []string // the user list; a user's primary group usually does not list it
	Pos     badgateway.Pos
}

// Accounts holds the users and groups of a system, in file order.
type Accounts struct {
	Users  []User
	Groups []Group
}

// Identity is the credentials a process of a user runs with, as
// initgroups(3) sets them up (nginx does so for its workers, php-fpm for
// its children): the user, its primary group, and every group that lists
// the user.
type Identity struct {
	User   string
	UID    uint32
	GID    uint32   // primary (effective) group
	Groups []uint32 // supplementary groups, sorted, without duplicates; GID included
}

// HasGroup reports whether gid is the primary or a supplementary group.
func (id Identity) HasGroup(gid uint32) bool {
	return id.GID == gid || slices.Contains(id.Groups, gid)
}

const maxAccountLine = 64 << 10

// ParsePasswd reads an /etc/passwd file. file names it in positions.
// Empty lines and NIS "+"/"-" lines are skipped; malformed lines are
// reported as problems (with file:line) and skipped, so the result holds
// every good line. Lines longer than 64 KiB are problems too.
func ParsePasswd(r io.Reader, file string) ([]User, badgateway.Problems) {
	var users []User
	probs := scanAccounts(r, file, 7, func(f []string, pos badgateway.Pos) error {
		uid, err := parseID(f[2])
		if err != nil {
			return fmt.Errorf("passwd: uid %q: %w", f[2], err)
		}
		gid, err := parseID(f[3])
		if err != nil {
			return fmt.Errorf("passwd: gid %q: %w", f[3], err)
		}
		users = append(users, User{Name: f[0], UID: uid, GID: gid, Home: f[5], Shell: f[6], Pos: pos})
		return nil
	})
	return users, probs
}

// ParseGroup reads an /etc/group file, with the same rules as ParsePasswd.
func ParseGroup(r io.Reader, file string) ([]Group, badgateway.Problems) {
	var groups []Group
	probs := scanAccounts(r, file, 4, func(f []string, pos badgateway.Pos) error {
		gid, err := parseID(f[2])
		if err != nil {
			return fmt.Errorf("group: gid %q: %w", f[2], err)
		}
		g := Group{Name: f[0], GID: gid, Pos: pos}
		for m := range strings.SplitSeq(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				g.Members = append(g.Members, m)
			}
		}
		groups = append(groups, g)
		return nil
	})
	return groups, probs
}

func parseID(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err
}

func scanAccounts(r io.Reader, file string, nf int, fn func([]string, badgateway.Pos) error) badgateway.Problems {
	var probs badgateway.Problems
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxAccountLine)
	var off int64
	line := 0
	for sc.Scan() {
		line++
		pos := badgateway.Pos{File: file, Line: line, Col: 1, Offset: off}
		b := sc.Bytes()
		off += int64(len(b)) + 1
		s := strings.TrimSuffix(string(b), "\r")
		if s == "" || s[0] == '+' || s[0] == '-' || s[0] == '#' {
			continue
		}
		f := strings.Split(s, ":")
		if len(f) != nf {
			probs.Addf(pos, "%d fields, want %d", len(f), nf)
			continue
		}
		if f[0] == "" {
			probs.Addf(pos, "empty name")
			continue
		}
		if err := fn(f, pos); err != nil {
			probs.Add(pos, err)
		}
	}
	if err := sc.Err(); err != nil {
		probs.Add(badgateway.Pos{File: file, Line: line + 1, Col: 1, Offset: off}, err)
	}
	return probs
}

// Accounts reads Root/etc/passwd and Root/etc/group. It returns what it
// could read and, as the error, the problems found (a badgateway.Problems)
// or the *fs.PathError of a file it could not open.
func (p *Prober) Accounts(ctx context.Context) (*Accounts, error) {
	a := &Accounts{}
	var errs []error
	for _, name := range []string{"passwd", "group"} {
		file := p.path("etc", name)
		f, err := os.Open(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var probs badgateway.Problems
		if name == "passwd" {
			a.Users, probs = ParsePasswd(f, file)
		} else {
			a.Groups, probs = ParseGroup(f, file)
		}
		f.Close()
		if len(probs) > 0 {
			errs = append(errs, probs)
		}
	}
	return a, errors.Join(errs...)
}

// User returns the first user named name (as getpwnam(3) finds it), or,
// when there is none and name is a number, the first user with that uid.
// The error wraps ErrUnknownUser.
func (a *Accounts) User(name string) (User, error) {
	for _, u := range a.Users {
		if u.Name == name {
			return u, nil
		}
	}
	if uid, err := parseID(name); err == nil {
		for _, u := range a.Users {
			if u.UID == uid {
				return u, nil
			}
		}
	}
	return User{}, fmt.Errorf("probe: user %q: %w", name, ErrUnknownUser)
}

// Group returns the first group named name, or, when there is none and
// name is a number, the first group with that gid. The error wraps
// ErrUnknownUser.
func (a *Accounts) Group(name string) (Group, error) {
	for _, g := range a.Groups {
		if g.Name == name {
			return g, nil
		}
	}
	if gid, err := parseID(name); err == nil {
		for _, g := range a.Groups {
			if g.GID == gid {
				return g, nil
			}
		}
	}
	return Group{}, fmt.Errorf("probe: group %q: %w", name, ErrUnknownUser)
}

// UserName returns the name of uid, or "" when no user has it.
func (a *Accounts) UserName(uid uint32) string {
	for _, u := range a.Users {
		if u.UID == uid {
			return u.Name
		}
	}
	return ""
}

// GroupName returns the name of gid, or "" when no group has it.
func (a *Accounts) GroupName(gid uint32) string {
	for _, g := range a.Groups {
		if g.GID == gid {
			return g.Name
		}
	}
	return ""
}

// Identity returns the credentials of user as nginx's `user USER [GROUP]`
// directive sets them for a worker: the user's uid, GROUP (or the user's
// primary group when group is empty) as gid, and initgroups(3)'s
// supplementary groups (GROUP plus every group that lists the user,
// as initgroups(USER, GROUP) computes them). user and group may be names or numbers. The error
// wraps ErrUnknownUser.
func (a *Accounts) Identity(user, group string) (Identity, error) {
	u, err := a.User(user)
	if err != nil {
		return Identity{}, err
	}
	id := Identity{User: u.Name, UID: u.UID, GID: u.GID}
	if group != "" {
		g, err := a.Group(group)
		if err != nil {
			return Identity{}, err
		}
		id.GID = g.GID
	}
	id.Groups = append(id.Groups, id.GID)
	for _, g := range a.Groups {
		if slices.Contains(g.Members, u.Name) {
			id.Groups = append(id.Groups, g.GID)
		}
	}
	slices.Sort(id.Groups)
	id.Groups = slices.Compact(id.Groups)
	return id, nil
}
