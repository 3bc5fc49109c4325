// Package obfuscate imitates SQL obfuscation (DBM).
package obfuscate

import "strings"

// ObfuscateSQL replaces digits in a query, n times.
func ObfuscateSQL(n int) int {
	q := "SELECT * FROM users WHERE id = 12345 AND org = 678"
	total := 0
	for i := 0; i < n; i++ {
		total += len(strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '?'
			}
			return r
		}, q))
	}
	return total
}
